/** Placeholder: filled in by the consolidation work of stop 12. */
export {};
