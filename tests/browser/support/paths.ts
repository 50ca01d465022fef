import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BROWSER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(BROWSER_DIR, '../..');
export const USERMGMT = path.join(ROOT, '.venv', 'bin', 'usermgmt');
export const WEB_DIST = path.join(ROOT, 'web', 'dist');
export const SCREENSHOTS = path.join(ROOT, 'docs', 'console');
export const FIGURES = path.join(BROWSER_DIR, 'figures.json');
