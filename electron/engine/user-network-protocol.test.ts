// The holder's socket protocol: what each side accepts, with hostile input from the other.
import { describe, expect, it } from 'vitest';
import { LineReader, MAX_LINE, parseHolderMessage, parseMemberMessage } from './user-network-protocol';

describe('messages to the holder', () => {
  it('accepts the four requests', () => {
    expect(parseMemberMessage('{"op":"join","machine":"web"}')).toEqual({ op: 'join', machine: 'web' });
    expect(parseMemberMessage('{"op":"attach","pid1":4242}')).toEqual({ op: 'attach', pid1: 4242 });
    expect(parseMemberMessage('{"op":"up"}')).toEqual({ op: 'up' });
    expect(parseMemberMessage('{"op":"down","extra":1}')).toEqual({ op: 'down' });
  });

  it.each([
    ['a machine name with a path', '{"op":"join","machine":"../web"}'],
    ['a machine name with a newline', '{"op":"join","machine":"web\\n10.0.0.1 bank"}'],
    ['pid 1 of the host', '{"op":"attach","pid1":1}'],
    ['a pid as text', '{"op":"attach","pid1":"42; rm -rf /"}'],
    ['a fractional pid', '{"op":"attach","pid1":4.5}'],
    ['an unknown op', '{"op":"exec","cmd":"sh"}'],
    ['an array', '[1,2]'],
    ['not JSON', '\x1b[2Jhello'],
  ])('refuses %s', (_what, line) => {
    expect(parseMemberMessage(line)).toBeUndefined();
  });
});

describe('messages from the holder', () => {
  it('accepts replies and a hosts event of names and IPv4 addresses', () => {
    expect(parseHolderMessage('{"reply":"joined","keeper":99}')).toEqual({ reply: 'joined', keeper: 99 });
    expect(parseHolderMessage('{"reply":"attached","address":"10.89.1.2"}')).toEqual({ reply: 'attached', address: '10.89.1.2' });
    expect(parseHolderMessage('{"event":"hosts","entries":[["web","10.89.1.2"]]}')).toEqual({ event: 'hosts', entries: [['web', '10.89.1.2']] });
  });

  it.each([
    ['an entry whose name would add a line to /etc/hosts', '{"event":"hosts","entries":[["web\\n1.2.3.4 bank","10.89.1.2"]]}'],
    ['an address that is not one', '{"event":"hosts","entries":[["web","10.89.1.2 bank"]]}'],
    ['an address out of range', '{"reply":"attached","address":"10.89.1.256"}'],
    ['too many entries', `{"event":"hosts","entries":${JSON.stringify(Array.from({ length: 300 }, (_, i) => [`m${i}`, '10.89.1.2']))}}`],
    ['a keeper that is pid 1', '{"reply":"joined","keeper":1}'],
  ])('refuses %s', (_what, line) => {
    expect(parseHolderMessage(line)).toBeUndefined();
  });

  it('cuts an error message to 500 characters', () => {
    expect(parseHolderMessage(JSON.stringify({ reply: 'error', message: 'x'.repeat(10_000) }))).toEqual({ reply: 'error', message: 'x'.repeat(500) });
  });
});

describe('the line reader', () => {
  it('splits lines across chunks', () => {
    const lines: string[] = [];
    const r = new LineReader((l) => lines.push(l));
    r.push(Buffer.from('{"op":'));
    r.push(Buffer.from('"up"}\n{"op":"down"}\n{"op"'));
    expect(lines).toEqual(['{"op":"up"}', '{"op":"down"}']);
  });

  it('throws on a line longer than the limit, even before its newline arrives', () => {
    const r = new LineReader(() => undefined);
    expect(() => r.push(Buffer.alloc(MAX_LINE + 1, 'a'))).toThrow('more than');
  });
});
