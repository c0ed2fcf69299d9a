// The peer's own pre-parsed core engine on the workloads of bench/engine_bench.py.
//
// The peer is @cloud-copilot/iam-simulate (pinned in bench/peer/package.json; `make bench-peer`
// installs it). Its lowest-level evaluation entry point is `authorize()` of
// dist/esm/core_engine/CoreSimulatorEngine.js: it takes policies already parsed by
// `loadPolicy()` of @cloud-copilot/iam-policy and one AwsRequestImpl. That is what the peer's
// public runSimulation() calls after validating and parsing its input, so timing it measures
// the peer's evaluation alone. Policies are parsed once, outside the timed loop; the requests
// (AwsRequestImpl objects over the same distinct principals, resources and context values as
// iamsim's) are built beforehand too, so both sides time evaluation only.
//
// Usage: node bench/peer_engine.mjs WORKLOAD.json [--seconds 3] [--json OUT.json]
// where WORKLOAD.json is written by `python bench/engine_bench.py --export WORKLOAD.json` (the
// policies, the requests and iamsim's decision for each). The harness checks that the peer's
// decision agrees with iamsim's on every request and prints both tallies.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, 'peer', 'node_modules', '@cloud-copilot');
const simulate = join(modules, 'iam-simulate', 'dist', 'esm');
const load = (path) => import(pathToFileURL(path).href);

const { authorize } = await load(join(simulate, 'core_engine', 'CoreSimulatorEngine.js'));
const { AwsRequestImpl } = await load(join(simulate, 'request', 'request.js'));
const { RequestContextImpl } = await load(join(simulate, 'requestContext.js'));
const { DiscoveryContextKeyConstraints } = await load(
  join(simulate, 'context_keys', 'discoveryContextKeyConstraints.js')
);
const { loadPolicy } = await load(join(modules, 'iam-policy', 'dist', 'esm', 'index.js'));

// The peer's public engine adds AWS's RCPFullAWSAccess to every RCP level, as AWS does
// (simulation_engine/simulationEngine.js); iamsim does the same, so the core gets it here.
const RCP_FULL_AWS_ACCESS = {
  name: 'arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess',
  document: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }]
  }
};

// The peer's result names, in iamsim's words.
const AS_IAMSIM = {
  Allowed: 'Allow',
  ExplicitlyDenied: 'ExplicitDeny',
  ImplicitlyDenied: 'ImplicitDeny'
};

function parseArgs(argv) {
  const args = { workload: undefined, seconds: 3, json: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--seconds') args.seconds = Number(argv[++i]);
    else if (argv[i] === '--json') args.json = argv[++i];
    else args.workload = argv[i];
  }
  if (!args.workload) {
    console.error('usage: node bench/peer_engine.mjs WORKLOAD.json [--seconds S] [--json OUT]');
    process.exit(2);
  }
  return args;
}

const parsed = (entry) => loadPolicy(entry.document, { name: entry.name });

function controlLevels(levels, addFullAccess) {
  return (levels ?? []).map((level, index) => {
    const entries = addFullAccess ? [RCP_FULL_AWS_ACCESS, ...level] : level;
    return { orgIdentifier: `level-${index}`, policies: entries.map(parsed) };
  });
}

// Everything but the request, parsed once.
function prepare(policies) {
  return {
    sessionPolicy: undefined,
    identityPolicies: (policies.identity ?? []).map(parsed),
    serviceControlPolicies: controlLevels(policies.scp, false),
    resourceControlPolicies: controlLevels(policies.rcp, true),
    resourcePolicy: policies.resource ? parsed(policies.resource) : undefined,
    permissionBoundaries: policies.boundary ? [parsed(policies.boundary)] : undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: {
      simulationMode: 'Strict',
      discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([])
    },
    serviceSettings: { s3: { blockPublicAccess: undefined } }
  };
}

function request(r) {
  return new AwsRequestImpl(
    r.principal,
    { resource: r.resource, accountId: r.resource_account },
    r.action,
    new RequestContextImpl(r.context)
  );
}

// CPU time of this process in seconds (like Python's time.process_time()).
const cpu = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
};

function measure(prepared, requests, seconds) {
  let count = 0;
  let index = 0;
  const startCpu = cpu();
  const startWall = performance.now();
  const deadline = startCpu + seconds;
  for (;;) {
    const end = Math.min(index + 256, requests.length);
    for (let i = index; i < end; i++) {
      prepared.request = requests[i];
      authorize(prepared);
    }
    count += end - index;
    index = end < requests.length ? end : 0;
    const now = cpu();
    if (now >= deadline) {
      const wall = (performance.now() - startWall) / 1000;
      return { cpu: count / (now - startCpu), wall: count / wall };
    }
  }
}

function tally(values) {
  const out = {};
  for (const v of [...values].sort()) out[v] = (out[v] ?? 0) + 1;
  return out;
}

const args = parseArgs(process.argv.slice(2));
const { workloads } = JSON.parse(readFileSync(args.workload, 'utf8'));
const results = { node: process.version, peer: '@cloud-copilot/iam-simulate' };
let disagreements = 0;
for (const workload of workloads) {
  const prepared = prepare(workload.policies);
  const requests = workload.requests.map(request);
  const decisions = requests.map((r) => {
    prepared.request = r;
    return AS_IAMSIM[authorize(prepared).result] ?? 'unknown';
  });
  const differ = [];
  decisions.forEach((d, i) => {
    if (d !== workload.decisions[i]) differ.push(i);
  });
  disagreements += differ.length;
  console.log(`${workload.name}: ${requests.length} distinct requests`);
  console.log(`  peer decisions:   ${JSON.stringify(tally(decisions))}`);
  console.log(`  iamsim decisions: ${JSON.stringify(tally(workload.decisions))}`);
  for (const i of differ.slice(0, 5)) {
    const r = workload.requests[i];
    console.log(
      `  DISAGREE #${i}: ${r.action} ${r.resource} by ${r.principal}: ` +
        `peer ${decisions[i]}, iamsim ${workload.decisions[i]}`
    );
  }
  const rate = measure(prepared, requests, args.seconds);
  console.log(
    `  peer authorize(): ${Math.round(rate.cpu).toLocaleString('en')}/s CPU time ` +
      `(${Math.round(rate.wall).toLocaleString('en')}/s wall clock)`
  );
  results[workload.name] = {
    decisions: tally(decisions),
    agree: differ.length === 0,
    disagreements: differ.length,
    authorize_per_s: Math.round(rate.cpu),
    authorize_per_s_wall: Math.round(rate.wall)
  };
}
if (args.json) writeFileSync(args.json, JSON.stringify(results, null, 2));
process.exit(disagreements ? 1 : 0);
