// The peer simulator's batch path through its public API, for bench/eval_bench.py --peer.
//
// Reads the same JSON Lines scenario file `iamsim eval --jsonl` reads (written by
// bench/eval_bench.py), one scenario per line, as a user of the peer would: JSON.parse the line
// (the policies arrive as JSON text with every request), map it to the peer's documented
// `Simulation`, call `runSimulation` (its public entry point: validates the policies, the action
// and the resource, then simulates with explanations), and write one JSON result per line.
// Nothing is cached between scenarios beyond what the peer caches itself.
//
// Usage: node bench/peer_batch.mjs SCENARIOS.jsonl [OUT]   (OUT defaults to /dev/null)
// Prints one JSON line on stdout: {"scenarios", "seconds", "per_second", "decisions"}; the
// seconds cover reading, simulating and writing, not node's start-up nor the module import.

import { createReadStream, createWriteStream } from 'node:fs'
import { createInterface } from 'node:readline'

// The peer is installed under bench/peer (pinned in its package.json; `npm ci` there): import its
// ESM entry point (the package's "import" export) from that folder.
const { runSimulation } = await import(
  new URL('./peer/node_modules/@cloud-copilot/iam-simulate/dist/esm/index.js', import.meta.url)
)

const [input, output = '/dev/null'] = process.argv.slice(2)
if (!input) {
  console.error('usage: node bench/peer_batch.mjs SCENARIOS.jsonl [OUT]')
  process.exit(2)
}

function named(prefix, docs) {
  return docs.map((policy, i) => ({ name: `${prefix}[${i}]`, policy }))
}

// One iamsim scenario (name, principal, action, resource, resource_account, context, policies)
// as the peer's Simulation. Context values are strings or lists of strings in both.
function simulation(scenario) {
  const p = scenario.policies ?? {}
  const asList = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])
  return {
    request: {
      principal: scenario.principal,
      action: scenario.action,
      resource: { resource: scenario.resource, accountId: scenario.resource_account },
      contextVariables: scenario.context ?? {}
    },
    identityPolicies: named('identity', asList(p.identity)),
    permissionBoundaryPolicies: p.boundary ? named('boundary', [p.boundary]) : undefined,
    serviceControlPolicies: (p.scp ?? []).map((level, i) => ({
      orgIdentifier: `level-${i}`,
      policies: named(`scp[${i}]`, level)
    })),
    resourceControlPolicies: [],
    resourcePolicy: p.resource
  }
}

const out = createWriteStream(output)
const decisions = {}
let count = 0
const started = process.hrtime.bigint()
const lines = createInterface({ input: createReadStream(input), crlfDelay: Infinity })
for await (const line of lines) {
  if (!line.trim()) continue
  const scenario = JSON.parse(line)
  const result = await runSimulation(simulation(scenario), {})
  const decision = result.resultType === 'error' ? 'error' : result.overallResult
  decisions[decision] = (decisions[decision] ?? 0) + 1
  if (!out.write(JSON.stringify({ name: scenario.name, decision, result }) + '\n')) {
    await new Promise((resolve) => out.once('drain', resolve))
  }
  count += 1
}
await new Promise((resolve) => out.end(resolve))
const seconds = Number(process.hrtime.bigint() - started) / 1e9
console.log(
  JSON.stringify({ scenarios: count, seconds, per_second: count / seconds, decisions })
)
