// The packaging config, checked against electron-builder's own JSON schema (the one its CLI applies),
// and the files it names: icons at the usual sizes, the desktop entry, the AppArmor profile.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const Ajv = require('ajv') as typeof import('ajv').default;
const yaml = require('js-yaml') as { load(text: string): unknown };
const ROOT = path.resolve(__dirname, '../..');

interface BuilderConfig {
  asarUnpack: string[];
  npmRebuild: boolean;
  linux: { target: { target: string }[]; icon: string };
  deb: { depends: string[]; appArmorProfile: string };
}

const config = yaml.load(fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  it('is valid against electron-builder\'s schema', () => {
    const schema = JSON.parse(fs.readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
  });

  it('builds an AppImage and a .deb, with native modules unpacked and rebuilt at packaging time', () => {
    expect(config.linux.target.map((t) => t.target)).toEqual(['AppImage', 'deb']);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/node-pty/**/*', 'node_modules/unix-dgram/**/*']));
    expect(config.npmRebuild).toBe(true);
    expect(config.deb.depends).toEqual(expect.arrayContaining(['bubblewrap', 'uidmap']));
  });

  it('names files that exist: icons at the usual sizes and a scalable one, the AppArmor profile', () => {
    const icons = path.join(ROOT, config.linux.icon);
    for (const size of [16, 32, 48, 64, 128, 256, 512]) {
      const png = fs.readFileSync(path.join(icons, `${size}x${size}.png`));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    }
    expect(fs.readFileSync(path.join(icons, 'burrow.svg'), 'utf8')).toMatch(/^<svg/);
    expect(fs.readFileSync(path.join(ROOT, config.deb.appArmorProfile), 'utf8')).toMatch(/userns,/);
  });
});
