import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root, found from both the TypeScript sources and the compiled code in dist/. */
export function projectRoot(): string {
  let folder = __dirname;
  while (!existsSync(path.join(folder, 'package.json'))) {
    const parent = path.dirname(folder);
    if (parent === folder) throw new Error(`No package.json above ${__dirname}`);
    folder = parent;
  }
  return folder;
}
