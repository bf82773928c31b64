// `castellan up` (npm start) runs castellan's main job: a local cluster on this machine
// exercising every protocol that exists. Each protocol contributes one part.
import type { Json } from '../../sim/core.js';

export interface PartResult {
  /** What was measured, as label → value-with-unit lines for the summary. */
  measured: Record<string, string>;
  /** Properties checked, each with whether it held. */
  checked: Record<string, boolean>;
  /** Machine-readable detail for --json. */
  detail?: Json;
}

export interface MainJobPart {
  name: string;
  /** What this part does, one line, printed before it runs. */
  description: string;
  run(progress: (line: string) => void): Promise<PartResult>;
}
