// A small streaming reader of tar headers (ustar, GNU long names, pax): names, types, sizes and xattrs of
// entries, with the data of the ones asked for. Used to read overlay marks (opaque folders) from a layer
// and the profile at the head of an export. Input may be hostile: every size is bounded.
export interface TarEntry {
  name: string;
  /** ustar type flag: '0' file, '5' folder, '2' symlink, '3' character device… */
  type: string;
  size: number;
  xattrs: Record<string, Buffer>;
  /** The entry's content, when `wantData` asked for it. */
  data?: Buffer;
}

/** Extended headers (pax records, GNU long names) larger than this are refused. */
const META_MAX = 1024 * 1024;

export class TarFormatError extends Error {}

function octal(field: Buffer): number {
  if (field[0]! & 0x80) {
    // GNU base-256: big-endian, top bit set.
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    if (!Number.isSafeInteger(n)) throw new TarFormatError('a size is out of range');
    return n;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  if (!/^[0-7]*$/.test(text)) throw new TarFormatError(`not an octal number: ${JSON.stringify(text)}`);
  return text ? parseInt(text, 8) : 0;
}

const cstring = (field: Buffer): string => {
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
};

/** Pax records: "LEN key=value\n", where value may be any bytes (xattrs). */
export function parsePax(data: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const len = Number(data.subarray(at, space).toString('latin1'));
    if (!Number.isInteger(len) || len <= space - at || at + len > data.length) throw new TarFormatError('a pax record is malformed');
    const record = data.subarray(space + 1, at + len - 1); // without the trailing newline
    const eq = record.indexOf(0x3d);
    if (eq > 0) out.set(record.subarray(0, eq).toString('utf8'), record.subarray(eq + 1));
    at += len;
  }
  return out;
}

const pad = (n: number): number => Math.ceil(n / 512) * 512;

/**
 * Feed it chunks; it returns the entries whose headers completed. `wantData(entry)` decides whose content
 * is kept (up to `dataMax` bytes, else a TarFormatError).
 */
export class TarHeaderReader {
  private buf: Buffer = Buffer.alloc(0);
  private skip = 0;
  private pending?: { entry: TarEntry; remaining: number; chunks: Buffer[]; keep: boolean; padTo: number };
  private meta?: { type: string; remaining: number; chunks: Buffer[]; padTo: number };
  private pax = new Map<string, Buffer>();
  private longName?: string;
  ended = false;

  constructor(
    private readonly wantData: (e: TarEntry) => boolean = () => false,
    private readonly dataMax = META_MAX,
  ) {}

  push(chunk: Buffer): TarEntry[] {
    const entries: TarEntry[] = [];
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.ended) return entries;
      if (this.skip) {
        const n = Math.min(this.skip, this.buf.length);
        this.buf = this.buf.subarray(n);
        this.skip -= n;
        if (this.skip) return entries;
      }
      if (this.meta || this.pending) {
        const target = (this.meta ?? this.pending)!;
        const n = Math.min(target.remaining, this.buf.length);
        if (this.meta || this.pending!.keep) target.chunks.push(this.buf.subarray(0, n));
        this.buf = this.buf.subarray(n);
        target.remaining -= n;
        if (target.remaining) return entries;
        this.skip = target.padTo;
        if (this.meta) this.finishMeta();
        else {
          const p = this.pending!;
          if (p.keep) p.entry.data = Buffer.concat(p.chunks);
          entries.push(p.entry);
          this.pending = undefined;
        }
        continue;
      }
      if (this.buf.length < 512) return entries;
      const block = this.buf.subarray(0, 512);
      this.buf = this.buf.subarray(512);
      if (block.every((b) => b === 0)) {
        this.ended = true;
        return entries;
      }
      this.header(block, entries);
    }
  }

  private header(block: Buffer, entries: TarEntry[]): void {
    const sum = octal(block.subarray(148, 156));
    let computed = 0;
    for (let i = 0; i < 512; i++) computed += i >= 148 && i < 156 ? 32 : block[i]!;
    if (sum !== computed) throw new TarFormatError('a header checksum does not match: not a tar archive, or a corrupt one');
    const type = String.fromCharCode(block[156]!) === '\0' ? '0' : String.fromCharCode(block[156]!);
    let size = octal(block.subarray(124, 136));
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      if (size > META_MAX) throw new TarFormatError(`an extended header of ${size} bytes is larger than ${META_MAX}`);
      this.meta = { type, remaining: size, chunks: [], padTo: pad(size) - size };
      if (!size) this.finishMeta();
      return;
    }
    const magic = block.subarray(257, 263).toString('latin1');
    const prefix = magic.startsWith('ustar') ? cstring(block.subarray(345, 500)) : '';
    let name = this.longName ?? (prefix ? `${prefix}/${cstring(block.subarray(0, 100))}` : cstring(block.subarray(0, 100)));
    const paxPath = this.pax.get('path');
    if (paxPath) name = paxPath.toString('utf8');
    const paxSize = this.pax.get('size');
    if (paxSize) size = Number(paxSize.toString('latin1'));
    if (!Number.isSafeInteger(size) || size < 0) throw new TarFormatError('an entry size is out of range');
    const xattrs: Record<string, Buffer> = {};
    for (const [k, v] of this.pax) if (k.startsWith('SCHILY.xattr.')) xattrs[k.slice('SCHILY.xattr.'.length)] = v;
    this.pax = new Map();
    this.longName = undefined;
    const entry: TarEntry = { name, type, size, xattrs };
    // Hard links, symlinks, devices and folders carry no data whatever their size field says.
    const dataSize = ['1', '2', '3', '4', '5', '6'].includes(type) ? 0 : size;
    const keep = dataSize > 0 && this.wantData(entry);
    if (keep && dataSize > this.dataMax) throw new TarFormatError(`${name} is ${dataSize} bytes, more than ${this.dataMax}`);
    if (!dataSize) {
      if (keep) entry.data = Buffer.alloc(0);
      entries.push(entry);
      return;
    }
    this.pending = { entry, remaining: dataSize, chunks: [], keep, padTo: pad(dataSize) - dataSize };
  }

  private finishMeta(): void {
    const m = this.meta!;
    this.meta = undefined;
    const data = Buffer.concat(m.chunks);
    if (m.type === 'x') for (const [k, v] of parsePax(data)) this.pax.set(k, v);
    else if (m.type === 'L') this.longName = cstring(data);
    // 'g' (global) and 'K' (long link names) carry nothing we use.
  }
}

/** The entry name without a leading `./` or trailing `/`: `./etc/` -> `etc`, `./` -> ``. */
export const entryPath = (name: string): string =>
  name
    .replace(/^(\.\/)+/, '')
    .replace(/^\.$/, '')
    .replace(/\/+$/, '');
