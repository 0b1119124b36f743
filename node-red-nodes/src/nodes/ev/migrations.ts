import { firstVersion, type Migration } from "../../shared/migrations.js";

/** This node's settings from one release to the next (see shared/migrations.ts); append, never edit. */
export const migrations: readonly Migration[] = [firstVersion];
