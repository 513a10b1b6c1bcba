import { describe, expect, it } from 'vitest';
import { planNetwork, PID_PLACEHOLDER } from './network-plan';

const tools = { pasta: '/usr/bin/pasta', slirp4netns: '/usr/bin/slirp4netns', unprivilegedPortStart: 1024, online: true };
const web = { host: 8080, guest: 80, protocol: 'tcp' as const, address: 'loopback' as const };

describe('network plan', () => {
  it('runs pasta against PID 1 with exactly the asked forwards and nothing of the host loopback', () => {
    const plan = planNetwork({ mode: 'nat', ports: [web, { host: 5353, guest: 53, protocol: 'udp', address: 'all' }] }, tools, '/run/m');
    expect(plan.unshare).toBe(true);
    const argv = plan.helper!.argv.join(' ');
    expect(argv).toContain('-t 127.0.0.1/8080:80');
    expect(argv).toContain('-u 0.0.0.0/5353:53');
    expect(argv).toContain('-T none -U none --no-map-gw');
    expect(argv).toContain(`--netns /proc/${PID_PLACEHOLDER}/ns/net`);
  });

  it('forwards nothing when no port is asked (pasta would forward every port by default)', () => {
    const argv = planNetwork({ mode: 'nat', ports: [] }, tools, '/run/m').helper!.argv.join(' ');
    expect(argv).toContain('-t none -u none');
  });

  it('falls back to slirp4netns with a warning, and explains when neither exists', () => {
    const slirp = planNetwork({ mode: 'nat', ports: [web] }, { ...tools, pasta: undefined }, '/run/m');
    expect(slirp.helper).toMatchObject({ tool: 'slirp4netns', apiSocket: '/run/m/slirp4netns.sock' });
    expect(slirp.helper!.argv).toContain('--disable-host-loopback');
    expect(slirp.warnings.join()).toMatch(/slirp4netns/);
    expect(() => planNetwork({ mode: 'nat', ports: [] }, { unprivilegedPortStart: 1024, online: true }, '/run/m')).toThrow(
      expect.objectContaining({ fix: expect.stringContaining('sudo apt install passt') }),
    );
  });

  it('gives isolated a namespace without helper, and host none, saying which ports cannot be bound', () => {
    const isolated = planNetwork({ mode: 'isolated', ports: [] }, tools, '/run/m');
    expect(isolated.unshare).toBe(true);
    expect(isolated.helper).toBeUndefined();
    const host = planNetwork({ mode: 'host', ports: [] }, tools, '/run/m');
    expect(host.unshare).toBe(false);
    expect(host.warnings.join()).toMatch(/ports below 1024 cannot be bound/);
  });

  it('refuses a host port an ordinary user may not bind, suggesting one that works', () => {
    expect(() => planNetwork({ mode: 'nat', ports: [{ ...web, host: 80 }] }, tools, '/run/m')).toThrow(/host port 80 is below 1024/);
  });

  it('uses slirp4netns while the host is offline (pasta needs a default route), pasta alone with a warning', () => {
    const offline = { ...tools, online: false };
    const slirp = planNetwork({ mode: 'nat', ports: [web] }, offline, '/run/m');
    expect(slirp.helper!.tool).toBe('slirp4netns');
    expect(slirp.ports).toEqual([web]);
    expect(slirp.warnings.join()).toMatch(/no default route.*using slirp4netns/);
    const pastaOnly = planNetwork({ mode: 'nat', ports: [web] }, { ...offline, slirp4netns: undefined }, '/run/m');
    expect(pastaOnly.helper!.tool).toBe('pasta');
    expect(pastaOnly.warnings.join()).toMatch(/install slirp4netns, which works offline/);
    expect(planNetwork({ mode: 'nat', ports: [] }, tools, '/run/m').warnings).toEqual([]);
  });
});
