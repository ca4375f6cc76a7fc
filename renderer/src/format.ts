// The UI's formatting helpers live in common/format.ts, shared with the CLI; the renderer's
// components import them from here.
export * from '../../common/format';
