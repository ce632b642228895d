import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

function declarations(relativePath: string): string {
  const text = readFileSync(path.join(root, relativePath), 'utf8');
  return text.slice(text.indexOf('export '));
}

describe('HubSpot card view-model copy', () => {
  it('matches cards/view-model-types.ts', () => {
    const original = declarations('cards/view-model-types.ts');
    const copy = declarations('cards/hubspot/src/app/cards/payment-health/view-model.ts');
    expect(copy).toBe(original);
  });
});
