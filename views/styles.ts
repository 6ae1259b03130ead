import { readAsset } from '../src/paths.js';

/** `views/styles.css`, read once: served as `/assets/latchkey.css`. */
export const stylesheet: string = readAsset('views/styles.css');
