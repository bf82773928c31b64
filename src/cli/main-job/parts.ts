// The parts of the main job, in order. Each protocol adds its part here.
import type { MainJobPart } from './part.js';
import { nativeSelfCheck } from './native-selfcheck.js';
import { ramcastPart } from './ramcast.js';
import { thresholdSigningPart } from './threshold-signing.js';
import { rmpPart } from './rmp.js';
import { stewardPart } from './steward.js';
import { composablePart } from './composable.js';
import { servicePart } from './service.js';

export const mainJobParts: MainJobPart[] = [nativeSelfCheck, thresholdSigningPart, ramcastPart, rmpPart, stewardPart, servicePart, composablePart];
