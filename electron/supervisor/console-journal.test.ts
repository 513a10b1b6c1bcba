import { describe, expect, it } from 'vitest';
import { ConsoleJournal } from './console-journal';

describe("the console in a unit's journal", () => {
  it('writes lines without terminal escapes, across chunk boundaries', () => {
    const lines: string[] = [];
    const j = new ConsoleJournal((l) => lines.push(l));
    j.push(Buffer.from('\x1b[0;32m  OK  \x1b[0m] Started dbus\r\n[  OK  ] Reached tar'));
    j.push(Buffer.from('get\r\n\x1b]0;title\x07hello\x07 \x9b31m\r\n'));
    j.flush();
    expect(lines).toEqual(['  OK  ] Started dbus', '[  OK  ] Reached target', 'hello 31m']);
  });

  it('keeps a flood out of the journal, saying how much was left out', () => {
    const lines: string[] = [];
    let t = 0;
    const j = new ConsoleJournal(
      (l) => lines.push(l),
      10,
      () => t,
    );
    t = 1;
    j.push(Buffer.from('x\n'.repeat(1000)));
    expect(lines).toHaveLength(10);
    t = 70_000;
    j.push(Buffer.from('after\n'));
    expect(lines.slice(10)).toEqual(['[burrow] 990 console lines left out of the journal (burrow console has them)', 'after']);
  });
});
