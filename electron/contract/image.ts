// An image in the store, as its image.json records it; shared by the engine, the CLI and the window.
import * as z from 'zod';
import { MACHINE_NAME_RE } from './plain';

export const imageRecordSchema = z.object({
  version: z.literal(1),
  name: z.string().regex(MACHINE_NAME_RE),
  /** The rootfs folder: inside the store, or the user's own folder for an image used in place. */
  rootfs: z.string(),
  inPlace: z.boolean(),
  source: z.object({
    kind: z.enum(['tarball', 'folder', 'oci-layout', 'oci-archive', 'docker-save', 'debian']),
    path: z.string().optional(),
    compression: z.string().optional(),
    suite: z.string().optional(),
    packages: z.array(z.string()).optional(),
  }),
  createdAt: z.string(),
  distro: z.string().optional(),
  systemdVersion: z.number().optional(),
  init: z.array(z.string()).optional(),
  entries: z.number().optional(),
  bytes: z.number().optional(),
  /**
   * The guest user whose files are yours on the host (root's are a subordinate id's): images unpacked since
   * shares. Absent: root's files are yours (images made before), and machines of it keep that map.
   */
  user: z.object({ uid: z.number().int().min(1).max(65534), gid: z.number().int().min(1).max(65534) }).optional(),
  /**
   * The image is a machine's export (burrow export): which machine, and its settings as they were exported,
   * unchecked until `burrow create --exported-settings` uses them (they came in an archive).
   */
  exported: z
    .object({ machine: z.string().regex(MACHINE_NAME_RE), snapshot: z.string().max(16).optional(), exportedAt: z.string().max(64), profile: z.unknown() })
    .optional(),
});
export type ImageRecord = z.infer<typeof imageRecordSchema>;

export const IMAGE_SOURCE_KINDS = ['tarball', 'folder', 'oci-layout', 'oci-archive', 'docker-save', 'debian'] as const;

/** Progress of an image being built or imported. */
export interface ImageProgress {
  name: string;
  /** A Debian build (mmdebstrap) or an import of a file or folder. */
  kind: 'build' | 'import';
  phase: string;
  bytes: number;
  /** 0 where the total is not known in advance. */
  totalBytes: number;
  entries: number;
  /** Set once, when the job ended. */
  done?: 'ok' | 'failed' | 'cancelled';
  message?: string;
}
