// What `burrow export` writes as the first entry of its archive (./.burrow-machine.json), as the import reads
// it back from an archive that may be hostile: checked here, and the profile inside it again by profileSchema.
import { z } from 'zod';
import { MACHINE_NAME_RE } from './profile';

export const EXPORT_FORMAT = 1;

export const manifestSchema = z.object({
  burrowExport: z.literal(EXPORT_FORMAT),
  machine: z.string().regex(MACHINE_NAME_RE),
  snapshot: z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/)
    .optional(),
  exportedAt: z.string().max(64),
  profile: z.unknown(),
});
export type ImportedManifest = z.infer<typeof manifestSchema>;
