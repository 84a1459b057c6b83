#!/usr/bin/env node
// Entry point: load TypeScript sources through tsx, then run the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
