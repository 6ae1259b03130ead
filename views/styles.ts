import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/paths.js';

/** `views/styles.css`, read once: served as `/assets/latchkey.css`. */
export const stylesheet: string = readFileSync(join(packageRoot, 'views', 'styles.css'), 'utf8');
