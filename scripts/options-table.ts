// Prints the README options table from the schema: `node --import tsx scripts/options-table.ts`.
import { optionsMarkdown } from '../src/config/load.js';

process.stdout.write(optionsMarkdown() + '\n');
