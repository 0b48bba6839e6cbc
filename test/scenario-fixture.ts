/** The kettle fixture as a loaded scenario, for engine tests that must not depend on shipped content. */
import path from 'node:path';
import { loadLibrary } from '../engine/rubric-library.ts';
import { FIXTURES } from './broken-file.ts';

const library = await loadLibrary([path.join(FIXTURES, 'kettle-refund.yaml')]);
if (library.problems.length > 0) throw new Error('the kettle fixture is invalid');
export const kettle = library.scenarios[0]!;
