#!/usr/bin/env node
// Node >= 22.18 strips TypeScript types natively; the project pins Node 24 (see README "Node").
import "../src/main.ts"
