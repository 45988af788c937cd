export * from './errors.js';
export * from './isa/index.js';
export * from './vm/index.js';
