import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/config.js';
import { SCHEMA_DIR } from '../../src/server/apollo.js';
import { freePort } from '../helpers/haproxy.js';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * No Docker engine or Kubernetes cluster runs here, so the deployment files are
 * checked against the code they deploy: the Dockerfile's command, port, user,
 * dependencies and HEALTHCHECK (run for real against a gateway), and the
 * Kubernetes manifests' probes (requested from a running gateway), ports,
 * environment (the ConfigMap's file and the Secrets' keys loaded through the
 * real config loader), shutdown budget, and how the Deployment, Service,
 * PodDisruptionBudget and HorizontalPodAutoscaler refer to one another.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const run = promisify(execFile);
/** src/main.ts exits on its own this long after the drain delay and the grace period, should closing hang. */
const HARD_STOP_MARGIN_MS = 5_000;

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}
interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

/** Private: a Dockerfile as stages of instructions (continuation lines joined, comments dropped). */
function dockerfileStages(text: string): Stage[] {
  const lines = text.replace(/\\\n\s*/g, ' ').split('\n');
  const stages: Stage[] = [];
  for (const line of lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
    const [, keyword, args] = /^(\w+)\s+(.*)$/.exec(line)!;
    if (keyword!.toUpperCase() === 'FROM') {
      const [, from, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args!)!;
      stages.push({ from: from!, name, instructions: [] });
    } else if (stages.length > 0) stages.at(-1)!.instructions.push({ keyword: keyword!.toUpperCase(), args: args! });
  }
  return stages;
}
const argsOf = (stage: Stage, keyword: string) =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

/** Private: the packages src/ imports at run time (type-only imports are erased by the compiler). */
function runtimeImports(dir: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      for (const name of runtimeImports(path)) found.add(name);
      continue;
    }
    if (!path.endsWith('.ts')) continue;
    const text = readFileSync(path, 'utf8');
    for (const match of text.matchAll(
      /^\s*(?:import|export)\s+(?!type\s)[^;]*?\sfrom\s+'([^']+)'|import\('([^']+)'\)/gm,
    )) {
      const specifier = match[1] ?? match[2]!;
      if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
      const parts = specifier.split('/');
      found.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  return found;
}

/** Private: whether .dockerignore keeps a path out of the build context (the last matching line decides; `!` keeps). */
function dockerIgnores(path: string): boolean {
  let ignored = false;
  for (const line of read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const pattern = line.replace(/^!/, '').replace(/\/$/, '');
    if (path === pattern || path.startsWith(`${pattern}/`)) ignored = !line.startsWith('!');
  }
  return ignored;
}

/** Private: the files a package.json script runs with tsx or node, following `npm run` into other scripts. */
function buildScriptFiles(name: string): string[] {
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  const command = scripts[name] ?? '';
  return [
    ...[...command.matchAll(/\b(?:tsx|node)\s+(\S+\.[cm]?[jt]s)\b/g)].map((m) => m[1]!),
    ...[...command.matchAll(/npm run (?:--silent )?([\w:-]+)/g)].flatMap((m) => buildScriptFiles(m[1]!)),
  ];
}

type Manifest = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Private: every YAML document of a deploy/k8s file. */
const manifestsOf = (file: string): Manifest[] =>
  parseAllDocuments(read(`deploy/k8s/${file}`)).map((doc) => doc.toJS() as Manifest);

describe('deployment files match the code they deploy', () => {
  let stack: TestStack;
  const packageJson = JSON.parse(read('package.json')) as {
    scripts: Record<string, string>;
    dependencies: Record<string, string>;
  };
  const stages = dockerfileStages(read('Dockerfile'));
  const runtime = stages.at(-1)!;
  const kustomization = parse(read('deploy/k8s/kustomization.yaml')) as { resources: string[] };
  const resources = kustomization.resources.flatMap(manifestsOf);
  const find = (kind: string) => resources.find((r) => r.kind === kind)!;
  const deployment = find('Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const envOf = (c: Manifest) => Object.fromEntries((c.env as Manifest[]).map((e) => [e.name, e.value]));
  const secrets = manifestsOf('secrets.example.yaml');

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  describe('Dockerfile', () => {
    it("builds in stages and runs `npm start`'s command as the unprivileged node user", () => {
      expect(stages.length).toBeGreaterThanOrEqual(3);
      expect(argsOf(runtime, 'USER')).toEqual(['node']);
      const [cmd] = argsOf(runtime, 'CMD');
      // `npm start`'s `cross-env NAME=value` words are its environment: the image sets them with ENV.
      const words = packageJson.scripts.start!.replace(/^cross-env /, '').split(' ');
      const command = words.findIndex((word) => !/^\w+=/.test(word));
      expect(JSON.parse(cmd!)).toEqual(words.slice(command));
      const env = argsOf(runtime, 'ENV').join(' ').split(/\s+/);
      for (const assignment of words.slice(0, command)) expect(env).toContain(assignment);
      // dist/main.js is src/main.ts compiled (tsconfig.build.json: src -> dist).
      const build = JSON.parse(read('tsconfig.build.json')) as { compilerOptions: { rootDir: string; outDir: string } };
      expect(build.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
      expect(existsSync(join(ROOT, 'src/main.ts'))).toBe(true);
    });

    it('ships production dependencies only, and every package src/ imports at run time is one', () => {
      const [copied] = argsOf(runtime, 'COPY').filter((a) => a.includes('node_modules'));
      const source = /--from=(\S+)/.exec(copied!)![1];
      const dependencyStage = stages.find((s) => s.name === source)!;
      expect(argsOf(dependencyStage, 'RUN').join(' ')).toMatch(/npm ci --omit=dev/);
      expect(argsOf(runtime, 'RUN').join(' ')).not.toMatch(/npm (ci|install)/);
      const missing = [...runtimeImports(join(ROOT, 'src'))].filter((name) => !(name in packageJson.dependencies));
      expect(missing).toEqual([]);
    });

    it("copies patches/ before every `npm ci`: without it the postinstall's patch-package finds none and passes", () => {
      expect(packageJson.scripts.postinstall).toMatch(/^patch-package --error-on-fail\b/);
      const installing = stages.filter((s) => argsOf(s, 'RUN').some((r) => r.includes('npm ci')));
      expect(installing.length).toBeGreaterThanOrEqual(2);
      for (const stage of installing) {
        const at = (match: (i: Instruction) => boolean) => stage.instructions.findIndex(match);
        const copy = at((i) => i.keyword === 'COPY' && i.args.split(/\s+/).slice(0, -1).includes('patches'));
        expect(copy, `${stage.name} copies patches/`).toBeGreaterThanOrEqual(0);
        expect(copy, `${stage.name} copies patches/ first`).toBeLessThan(
          at((i) => i.keyword === 'RUN' && i.args.includes('npm ci')),
        );
      }
    });

    it('copies what the runtime reads (dist and schema, side by side) from files .dockerignore keeps', () => {
      expect(relative(ROOT, SCHEMA_DIR)).toBe('schema');
      const destinations = argsOf(runtime, 'COPY').map((a) => a.split(/\s+/).at(-1));
      expect(destinations).toEqual(expect.arrayContaining(['./dist', './schema', './node_modules']));
      const fromContext = stages
        .flatMap((s) => argsOf(s, 'COPY'))
        .filter((a) => !a.startsWith('--from'))
        .flatMap((a) => a.split(/\s+/).slice(0, -1));
      for (const path of fromContext) {
        expect(existsSync(join(ROOT, path)), path).toBe(true);
        expect(dockerIgnores(path), path).toBe(false);
      }
      for (const path of ['node_modules', 'dist', '.git', 'test', '.env']) expect(dockerIgnores(path), path).toBe(true);
    });

    it('gives `npm run build` every file its steps run, in the stage that runs it', () => {
      const build = stages.find((s) => argsOf(s, 'RUN').some((r) => r.includes('npm run build')))!;
      const copied = argsOf(build, 'COPY').flatMap((a) => a.split(/\s+/).slice(0, -1));
      for (const file of buildScriptFiles('build')) {
        expect(
          copied.some((c) => file === c || file.startsWith(`${c.replace(/\/$/, '')}/`)),
          `${file} is copied into the build stage`,
        ).toBe(true);
        expect(dockerIgnores(file), file).toBe(false);
      }
    });

    it('exposes the port it configures, and its HEALTHCHECK passes against a live gateway and fails without one', async () => {
      const env = Object.fromEntries(
        argsOf(runtime, 'ENV').flatMap((a) => [...a.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]])),
      );
      expect(argsOf(runtime, 'EXPOSE')).toEqual([env.PORT]);
      expect(loadConfig({ PORT: env.PORT }).port).toBe(Number(env.PORT));
      expect(env.NODE_ENV).toBe('production');

      const [healthcheck] = argsOf(runtime, 'HEALTHCHECK');
      const command = JSON.parse(healthcheck!.slice(healthcheck!.indexOf('CMD') + 3)) as string[];
      expect(command.join(' ')).toContain('/healthz');
      const probe = (port: number) =>
        run(process.execPath, command.slice(1), { env: { PORT: String(port) } }).then(
          () => 0,
          (error: { code: number }) => error.code,
        );
      expect(await probe(stack.gateway.port)).toBe(0);
      expect(await probe(await freePort())).toBe(1);
    });
  });

  describe('Kubernetes manifests', () => {
    it('probe /readyz and /healthz on the named container port, and the gateway answers both there', async () => {
      expect(container.ports).toEqual([{ name: 'http', containerPort: Number(envOf(container).PORT) }]);
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
        const res = await fetch(new URL(probe.httpGet.path, stack.gateway.url));
        expect(res.status, probe.httpGet.path).toBe(200);
      }
    });

    it("give a configuration the real loader accepts: the ConfigMap file, plain env and the Secrets' keys", () => {
      const dir = mkdtempSync(join(tmpdir(), 'junction-k8s-'));
      try {
        const configMap = find('ConfigMap');
        const mount = container.volumeMounts.find(
          (m: Manifest) =>
            pod.volumes.find((v: Manifest) => v.name === m.name)?.configMap?.name === configMap.metadata.name,
        );
        const env = envOf(container);
        expect(env.JUNCTION_CONFIG).toBe(`${mount.mountPath}/config.yaml`);
        const file = join(dir, 'config.yaml');
        writeFileSync(file, configMap.data['config.yaml']);
        const fromSecrets = Object.fromEntries(
          (container.envFrom as Manifest[]).flatMap((source) => {
            const secret = secrets.find((s) => s.metadata.name === source.secretRef.name);
            expect(secret, source.secretRef.name).toBeDefined();
            return Object.entries(secret!.stringData as Record<string, string>);
          }),
        );
        const config = loadConfig({ ...env, ...fromSecrets, JUNCTION_CONFIG: file });
        expect(config.port).toBe(container.ports[0].containerPort);
        expect(config.production).toBe(true);
        expect(config.cache.redisUrl).toBe(fromSecrets.REDIS_URL);
        expect(config.tenants.length).toBeGreaterThan(0);
        // Credentials come from the Secrets, never from the ConfigMap.
        expect(configMap.data['config.yaml']).not.toMatch(/apiKey:\s*[^{\s]/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('allow the whole graceful shutdown before SIGKILL, and drain longer than the readiness probe takes to notice', () => {
      const env = envOf(container);
      const config = loadConfig({
        SHUTDOWN_DRAIN_DELAY_MS: env.SHUTDOWN_DRAIN_DELAY_MS,
        SHUTDOWN_GRACE_MS: env.SHUTDOWN_GRACE_MS,
      });
      expect(config.shutdownDrainDelayMs).toBeGreaterThan(0);
      expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(
        config.shutdownDrainDelayMs + config.shutdownGraceMs + HARD_STOP_MARGIN_MS,
      );
      const probe = container.readinessProbe;
      expect(config.shutdownDrainDelayMs).toBeGreaterThan(probe.periodSeconds * probe.failureThreshold * 1000);
    });

    it("run as the image's non-root user, without privileges", () => {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
    });

    it('tie the Service, PodDisruptionBudget and HorizontalPodAutoscaler to the Deployment', () => {
      const labels = deployment.spec.template.metadata.labels;
      expect(deployment.spec.selector.matchLabels).toEqual(labels);
      const service = find('Service');
      expect(service.spec.selector).toEqual(labels);
      expect(service.spec.ports[0].targetPort).toBe(container.ports[0].name);
      const pdb = find('PodDisruptionBudget');
      expect(pdb.apiVersion).toBe('policy/v1');
      expect(pdb.spec.selector.matchLabels).toEqual(labels);
      const hpa = find('HorizontalPodAutoscaler');
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: deployment.metadata.name,
      });
      // A voluntary disruption always leaves some gateways serving.
      expect(hpa.spec.minReplicas).toBeGreaterThan(pdb.spec.maxUnavailable);
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    });
  });
});
