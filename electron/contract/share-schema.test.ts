import { describe, expect, it } from 'vitest';
import { guestUserName } from './share';
import { parseShareSpec, parseShareUser, shareSchema } from './share-schema';

const error = (spec: string) => {
  const r = parseShareSpec(spec);
  if (!('error' in r)) throw new Error(`${JSON.stringify(spec)} was accepted`);
  return r.error;
};

describe('--share HOST_DIR:GUEST_DIR[:ro]', () => {
  it('reads a writable and a read-only share, trailing slashes dropped', () => {
    expect(parseShareSpec('/home/alice/project:/work')).toEqual({ value: { source: '/home/alice/project', dest: '/work', readOnly: false } });
    expect(parseShareSpec('/home/alice/docs/:/docs/:ro')).toEqual({ value: { source: '/home/alice/docs', dest: '/docs', readOnly: true } });
    expect(parseShareSpec('/srv:/srv:rw')).toEqual({ value: { source: '/srv', dest: '/srv', readOnly: false } });
  });

  it.each([
    ['project:/work', /the host folder must be an absolute path, not "project"/],
    ['./project:/work', /the host folder must be an absolute path/],
    ['/home/alice/p:work', /the folder inside must be an absolute path, not "work"/],
    ['/home/alice/../bob:/work', /the host folder must not contain "\.\." segments/],
    ['/home/alice/p:/work/../etc', /the folder inside must not contain "\." or "\.\." segments/],
    ['/home/alice/a:b:/work', /is not HOST_DIR:GUEST_DIR\[:ro\]: a path holding ":" cannot be shared/],
    ['/home/alice/p:/work:rx', /is not HOST_DIR:GUEST_DIR\[:ro\]/],
    ['/home/alice/p', /is not HOST_DIR:GUEST_DIR\[:ro\]$/],
    ['/home/alice/p\n:/work', /holds a newline or NUL/],
    ['/home/alice/p:/work\0', /holds a newline or NUL/],
    ['/home/alice/p:/proc', /cannot be \/proc: \/proc belongs to the machine's own workings/],
    ['/home/alice/p:/proc/sys', /cannot be \/proc\/sys: \/proc belongs/],
    ['/home/alice/p:/sys', /\/sys belongs to the machine's own workings/],
    ['/home/alice/p:/dev', /\/dev belongs/],
    ['/home/alice/p:/run/host', /\/run\/host belongs/],
    ['/home/alice/p:/run/host/notify', /\/run\/host belongs/],
    ['/home/alice/p:/run/systemd/system', /\/run\/systemd belongs/],
    ['/home/alice/p:/', /cannot be \/: a share there would hide the whole machine/],
  ])('refuses %j', (spec, message) => {
    expect(error(spec)).toMatch(message);
  });

  it('lets /run and /procfiles be shared onto (only what Burrow or the kernel owns is refused)', () => {
    expect(parseShareSpec('/srv/a:/run/app')).toHaveProperty('value');
    expect(parseShareSpec('/srv/a:/procfiles')).toHaveProperty('value');
  });

  it('the schema refuses in a profile what the CLI refuses (a hand-edited or a window-made profile)', () => {
    expect(shareSchema.safeParse({ source: '/a:b', dest: '/x', readOnly: false }).success).toBe(false);
    expect(shareSchema.safeParse({ source: '/a', dest: '/sys/fs', readOnly: false }).success).toBe(false);
    expect(shareSchema.safeParse({ source: 'rel', dest: '/x', readOnly: false }).success).toBe(false);
  });
});

describe('--share-user NAME|UID', () => {
  it('reads a name or a uid', () => {
    expect(parseShareUser('alice')).toEqual({ value: { name: 'alice' } });
    expect(parseShareUser('33')).toEqual({ value: { uid: 33 } });
  });

  it.each([
    ['0', /must be 1 or more \(0 is root, who is never you\)/],
    ['70000', /must be at most 65534/],
    ['Alice', /a user name is lowercase letters/],
    ['a b', /a user name is lowercase/],
    ['-rf', /a user name is lowercase/],
    ['\u001b[31mred', /a user name is lowercase/],
  ])('refuses %j', (text, message) => {
    const r = parseShareUser(text);
    expect('error' in r && r.error).toMatch(message);
  });

  it('makes a user name of any login name', () => {
    expect(guestUserName('alice')).toBe('alice');
    expect(guestUserName('John.Doe')).toBe('john-doe');
    expect(guestUserName('42user')).toBe('user');
    expect(guestUserName('ÄÖ')).toBe('user');
    expect(guestUserName('x'.repeat(50))).toHaveLength(31);
  });
});
