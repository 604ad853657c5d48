/** npm run docs:errors — writes docs/errors.md from the error catalogue. */
import { writeFileSync } from 'node:fs';
import { errorsMarkdown } from '@rescard/shared';

writeFileSync(new URL('../../docs/errors.md', import.meta.url), errorsMarkdown());
console.log('docs/errors.md written');
