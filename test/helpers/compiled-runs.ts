import type * as GraphqlJit from 'graphql-jit';

/**
 * graphql-jit as it is, but every run of a query it compiled is counted in `runs`: the proof that a
 * document's second run is the compiled one. For `vi.mock('graphql-jit', …)` in the files that need it.
 */
export function countingCompiledRuns(jit: typeof GraphqlJit, runs: { count: number }): typeof GraphqlJit {
  const compileQuery: typeof jit.compileQuery = (...args) => {
    const compiled = jit.compileQuery(...args);
    if (!('query' in compiled)) return compiled; // errors: not compiled
    const query = compiled.query.bind(compiled);
    return Object.assign(compiled, {
      query: (...run: Parameters<typeof query>) => ((runs.count += 1), query(...run)),
    });
  };
  return { ...jit, compileQuery };
}
