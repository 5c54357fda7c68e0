/*
 * Structural stand-ins for the Node types the public declarations would otherwise name
 * (NodeJS.ProcessEnv, NodeJS.WriteStream): a TypeScript program using the SDK then compiles
 * without @types/node, and process.env / process.stderr still fit them.
 */

/** Environment variables, as process.env holds them. */
export type EnvVars = Record<string, string | undefined>;

/** What dispatch needs of an output stream: whether it is a terminal, and write. */
export interface TextStream {
  isTTY?: boolean;
  write(text: string): unknown;
}
