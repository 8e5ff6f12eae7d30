import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isAbsolute, join, resolve } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import type { Vendor } from '../../src/domain/models.js';
import { SIMULATED_VENDORS } from '../../src/sandbox/registered-simulators.js';
import type { RecordedRequest } from '../../src/sandbox/simulator.js';

/**
 * Contract validation of recorded sandbox traffic against the vendors' OpenAPI
 * 3.1 contracts in ../shared/contracts (beside the repository root, locally and
 * in CI). JSON Schema work is done by ajv's 2020-12 dialect (OpenAPI 3.1's
 * dialect) with ajv-formats; this module only walks the OpenAPI structure:
 * operation lookup, parameters, security, request body, response by status.
 */

/** Each vendor's contract file, as its simulator names it (src/sandbox/<vendor>/index.ts). */
export const CONTRACT_FILES = Object.fromEntries(SIMULATED_VENDORS.map((s) => [s.vendor, s.contract])) as Readonly<
  Record<Vendor, string>
>;

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Where the contracts are: `JUNCTION_CONTRACTS_DIR`, else `<repo>/../shared/contracts`, else — for a
 * clone made elsewhere on the same machine (`git clone /work/main /tmp/x`) — `../shared/contracts`
 * beside the repository it was cloned from. Never nothing: without contracts the tests fail.
 */
export function contractsDir(): string {
  const candidates = process.env.JUNCTION_CONTRACTS_DIR
    ? [process.env.JUNCTION_CONTRACTS_DIR]
    : [resolve(REPO_ROOT, '..', 'shared', 'contracts'), ...besideOrigin()];
  const dir = candidates.find((candidate) => existsSync(candidate));
  if (!dir)
    throw new Error(
      `Vendor contracts not found at ${candidates.join(' or ')}. The contract tests need ../shared/contracts beside ` +
        'the repository root (or JUNCTION_CONTRACTS_DIR); they never pass silently without them.',
    );
  return dir;
}

/** Private: `../shared/contracts` beside the local repository this one was cloned from, if it was. */
function besideOrigin(): string[] {
  try {
    const origin = execFileSync('git', ['config', '--get', 'remote.origin.url'], { cwd: REPO_ROOT, encoding: 'utf8' });
    const path = origin.trim().replace(/^file:\/\//, '');
    return isAbsolute(path) ? [resolve(path, '..', 'shared', 'contracts')] : [];
  } catch {
    return [];
  }
}

export type ViolationRule = 'operation' | 'parameter' | 'security' | 'request-body' | 'response';

export interface ContractViolation {
  readonly vendor: Vendor;
  /** `METHOD /concrete/path` of the recorded request. */
  readonly request: string;
  /** The contract's operationId, when the operation was found. */
  readonly operationId: string | null;
  readonly rule: ViolationRule;
  readonly message: string;
}

export const formatViolation = (v: ContractViolation) =>
  `[${v.vendor}${v.operationId ? ` ${v.operationId}` : ''}] ${v.request} — ${v.rule}: ${v.message}`;

/** What the validator reads of a recorded sandbox request (src/sandbox/simulator.ts `RecordedRequest`). */
export type ExchangeUnderTest = Pick<
  RecordedRequest,
  'method' | 'route' | 'path' | 'query' | 'headers' | 'body' | 'status' | 'responseBody' | 'servedBy'
>;

export interface ContractOperation {
  readonly operationId: string;
  readonly method: string;
  /** The contract's path template. */
  readonly path: string;
  /** Documented response keys (`200`, `422`, `default`…). */
  readonly responses: readonly string[];
}

export interface Contract {
  readonly vendor: Vendor;
  readonly file: string;
  readonly operations: readonly ContractOperation[];
  /** The operation a concrete method and path address, or null. */
  findOperation(method: string, path: string): ContractOperation | null;
  /** Every way `recorded` breaks the contract; empty when it conforms. */
  validate(recorded: ExchangeUnderTest): ContractViolation[];
}

type Json = Record<string, unknown>;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON pointer → URI fragment, each segment escaped for both (RFC 6901, then percent-encoding). */
const fragment = (segments: readonly string[]) =>
  '#' + segments.map((s) => '/' + encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('');

const describeErrors = (errors: readonly ErrorObject[] | null | undefined, root: string) =>
  (errors ?? [])
    .filter((e) => !['anyOf', 'oneOf', 'allOf', 'if'].includes(e.keyword) || (errors ?? []).length === 1)
    .map((e) => {
      const at = `${root}${e.instancePath}`;
      if (e.keyword === 'additionalProperties')
        return `${at} has property "${String(e.params.additionalProperty)}", which the contract does not allow`;
      if (e.keyword === 'enum') return `${at} ${e.message} (${JSON.stringify(e.params.allowedValues)})`;
      return `${at} ${e.message}`;
    })
    .join('; ');

const headerValue = (headers: RecordedRequest['headers'], name: string) => {
  const raw = headers[name.toLowerCase()];
  return Array.isArray(raw) ? raw.join(', ') : raw;
};

interface CompiledOperation extends ContractOperation {
  readonly regex: RegExp;
  readonly literalLength: number;
  readonly pointer: readonly string[];
  readonly node: Json;
}

const cache = new Map<Vendor, Contract>();

/** Loads (once per process) the contract of one vendor; throws when the file is missing or invalid. */
export function loadContract(vendor: Vendor): Contract {
  const cached = cache.get(vendor);
  if (cached) return cached;
  const file = join(contractsDir(), CONTRACT_FILES[vendor]);
  if (!existsSync(file)) throw new Error(`The ${vendor} contract is missing: ${file}`);
  const contract = buildContract(vendor, file, readContractDocument(file));
  cache.set(vendor, contract);
  return contract;
}

/**
 * Private: parses a contract, through a JSON copy keyed by the YAML's hash. Every test file runs
 * in a fresh process, where parsing YAML costs far more than JSON; the copy is written atomically.
 */
function readContractDocument(file: string): Json {
  const text = readFileSync(file, 'utf8');
  const cacheDir = join(tmpdir(), 'junction-contracts');
  const cached = join(cacheDir, `${createHash('sha256').update(text).digest('hex')}.json`);
  if (existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8')) as Json;
  const doc = parseYaml(text) as Json;
  mkdirSync(cacheDir, { recursive: true });
  const partial = `${cached}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(doc));
  renameSync(partial, cached);
  return doc;
}

function buildContract(vendor: Vendor, file: string, doc: Json): Contract {
  if (typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.1'))
    throw new Error(`${file} is not an OpenAPI 3.1 document`);
  const uri = `https://contracts.junction.invalid/${CONTRACT_FILES[vendor]}`;
  // OpenAPI documents carry keywords JSON Schema does not know (example, x-…), hence strictSchema off.
  const makeAjv = (coerceTypes: boolean) => {
    const ajv = new Ajv2020({
      allErrors: true,
      strictSchema: false,
      allowUnionTypes: true,
      coerceTypes,
      validateSchema: false,
    });
    (addFormatsPlugin as unknown as (a: Ajv2020) => void)(ajv);
    ajv.addSchema(doc, uri);
    return ajv;
  };
  const ajv = makeAjv(false);
  // Parameters arrive as strings (`connectedOnly=true`): coerce them to the schema's type, as servers do.
  let parameterAjv: Ajv2020 | undefined;
  const validators = new Map<string, ValidateFunction>();
  const schemaAt = (pointer: readonly string[], forParameter = false): ValidateFunction => {
    const key = `${forParameter}${fragment(pointer)}`;
    let validate = validators.get(key);
    if (!validate) {
      const ref = { $ref: uri + fragment(pointer) };
      validate = forParameter
        ? (parameterAjv ??= makeAjv(true)).compile({ type: 'object', properties: { value: ref } })
        : ajv.compile(ref);
      validators.set(key, validate);
    }
    return validate;
  };

  /** Follows `$ref`s between OpenAPI objects (responses, parameters, request bodies), keeping the pointer. */
  const deref = (pointer: readonly string[], node: unknown): { pointer: readonly string[]; node: Json } => {
    let current = { pointer, node };
    for (let hops = 0; isObject(current.node) && typeof current.node.$ref === 'string'; hops++) {
      const ref = current.node.$ref;
      if (!ref.startsWith('#/') || hops > 16) throw new Error(`${file}: unsupported $ref ${ref}`);
      const target = ref
        .slice(2)
        .split('/')
        .map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'));
      current = { pointer: target, node: target.reduce<unknown>((n, k) => (isObject(n) ? n[k] : undefined), doc) };
    }
    if (!isObject(current.node)) throw new Error(`${file}: nothing at ${fragment(pointer)}`);
    return current as { pointer: readonly string[]; node: Json };
  };

  const operations: CompiledOperation[] = [];
  for (const [template, item] of Object.entries((doc.paths ?? {}) as Json)) {
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const node = item[method];
      if (!isObject(node)) continue;
      const names: string[] = [];
      const source = template
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const param = /^\{([^}]+)\}$/.exec(part);
          if (!param) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
          names.push(param[1]!);
          return `(?<p${names.length - 1}>[^/]+?)`;
        })
        .join('');
      operations.push({
        operationId: typeof node.operationId === 'string' ? node.operationId : `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        path: template,
        responses: Object.keys(isObject(node.responses) ? node.responses : {}),
        regex: new RegExp(`^${source}$`),
        literalLength: template.replace(/\{[^}]+\}/g, '').length,
        pointer: ['paths', template, method],
        node,
      });
    }
  }
  // The most literal template wins (`/x/{id}:disconnect` before `/x/{id}`).
  operations.sort((a, b) => b.literalLength - a.literalLength);
  const pathParamNames = (op: CompiledOperation) => [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);

  const findCompiled = (method: string, path: string) =>
    operations.find((op) => op.method === method.toUpperCase() && op.regex.test(path)) ?? null;

  /** Path-item parameters, overridden by operation parameters with the same name and location. */
  const parametersOf = (op: CompiledOperation) => {
    const item = (doc.paths as Json)[op.path] as Json;
    const byKey = new Map<string, { pointer: readonly string[]; node: Json }>();
    const collect = (list: unknown, pointer: readonly string[]) => {
      if (!Array.isArray(list)) return;
      list.forEach((p, i) => {
        const resolved = deref([...pointer, String(i)], p);
        byKey.set(`${String(resolved.node.in)}:${String(resolved.node.name).toLowerCase()}`, resolved);
      });
    };
    collect(item.parameters, ['paths', op.path, 'parameters']);
    collect(op.node.parameters, [...op.pointer, 'parameters']);
    return [...byKey.values()];
  };

  const securitySchemes = (
    isObject(doc.components) && isObject(doc.components.securitySchemes) ? doc.components.securitySchemes : {}
  ) as Record<string, Json>;

  /** Names of the requirement's schemes that the request does not satisfy (presence only, never values). */
  const unmetSchemes = (requirement: Json, recorded: ExchangeUnderTest) =>
    Object.keys(requirement).filter((name) => {
      const scheme = securitySchemes[name];
      if (!scheme) return true;
      if (scheme.type === 'http') {
        const authorization = headerValue(recorded.headers, 'authorization') ?? '';
        const expected = String(scheme.scheme ?? '').toLowerCase();
        const [given, credential] = authorization.trim().split(/\s+/, 2);
        return given?.toLowerCase() !== expected || !credential;
      }
      if (scheme.type === 'apiKey') {
        const keyName = String(scheme.name);
        if (scheme.in === 'header') return !headerValue(recorded.headers, keyName);
        if (scheme.in === 'query') return !recorded.query[keyName];
        if (scheme.in === 'cookie')
          return !(headerValue(recorded.headers, 'cookie') ?? '')
            .split(/;\s*/)
            .some((c) => c.startsWith(`${keyName}=`));
      }
      return true; // oauth2/openIdConnect: not used by these contracts; fail loudly rather than pass.
    });

  const describeScheme = (name: string) => {
    const scheme = securitySchemes[name];
    if (!scheme) return `${name} (not defined in components.securitySchemes)`;
    if (scheme.type === 'http') return `${name} (Authorization: ${String(scheme.scheme)} …)`;
    if (scheme.type === 'apiKey') return `${name} (${String(scheme.name)} in ${String(scheme.in)})`;
    return `${name} (${String(scheme.type)})`;
  };

  function validate(recorded: ExchangeUnderTest): ContractViolation[] {
    const request = `${recorded.method} ${recorded.path}`;
    const violations: ContractViolation[] = [];
    const op = findCompiled(recorded.method, recorded.path);
    const add = (rule: ViolationRule, message: string) =>
      violations.push({ vendor, request, operationId: op?.operationId ?? null, rule, message });

    if (!op) {
      const other = operations.filter((o) => o.regex.test(recorded.path)).map((o) => o.method);
      add(
        'operation',
        other.length
          ? `the contract defines ${other.join(', ')} on this path, not ${recorded.method}`
          : `no operation in ${CONTRACT_FILES[vendor]} matches this path`,
      );
      return violations;
    }
    if (recorded.servedBy === 'unmatched')
      add('operation', `the sandbox has no route for this contract operation (${op.method} ${op.path})`);
    else if (recorded.route !== null && recorded.route !== op.path)
      add('operation', `the sandbox served it as ${recorded.route}, but the contract operation is ${op.path}`);

    // Parameters.
    const match = op.regex.exec(recorded.path)!;
    const pathValues = new Map(pathParamNames(op).map((name, i) => [name, match.groups![`p${i}`]!]));
    const parameters = parametersOf(op);
    const knownQuery = new Set<string>();
    for (const { pointer, node } of parameters) {
      const name = String(node.name);
      const location = String(node.in);
      let raw: string | undefined;
      if (location === 'path') {
        const encoded = pathValues.get(name);
        try {
          raw = encoded === undefined ? undefined : decodeURIComponent(encoded);
        } catch {
          raw = encoded;
        }
      } else if (location === 'query') {
        knownQuery.add(name);
        raw = recorded.query[name];
      } else if (location === 'header') raw = headerValue(recorded.headers, name);
      else continue; // cookie parameters: none in these contracts.
      if (raw === undefined) {
        if (node.required === true || location === 'path')
          add('parameter', `required ${location} parameter ${name} is missing`);
        continue;
      }
      if (!isObject(node.schema)) continue;
      const check = schemaAt([...pointer, 'schema'], true);
      const holder = { value: raw };
      if (!check(holder))
        add(
          'parameter',
          `${location} parameter ${name}=${JSON.stringify(raw)}: ${describeErrors(check.errors, '')
            .replace(/^\/value /, '')
            .replace(/\/value/g, '')}`,
        );
    }
    const securityRequirements = (op.node.security ?? doc.security ?? []) as Json[];
    for (const requirement of securityRequirements)
      for (const name of Object.keys(requirement))
        if (securitySchemes[name]?.type === 'apiKey' && securitySchemes[name]?.in === 'query')
          knownQuery.add(String(securitySchemes[name]?.name));
    for (const name of Object.keys(recorded.query))
      if (!knownQuery.has(name)) add('parameter', `query parameter ${name} is not defined by the contract`);

    // Security: one requirement (OR) whose schemes are all present (AND); `{}` makes auth optional.
    if (securityRequirements.length > 0) {
      const unmet = securityRequirements.map((r) => unmetSchemes(r, recorded));
      if (!unmet.some((names) => names.length === 0))
        add(
          'security',
          `no credentials for ${securityRequirements.map((r) => Object.keys(r).map(describeScheme).join(' + ')).join(' or ')}`,
        );
    }

    // Request body.
    if (op.node.requestBody === undefined) {
      if (recorded.body !== undefined)
        add('request-body', 'sends a body, but the contract defines none for this operation');
    } else {
      const { pointer, node } = deref([...op.pointer, 'requestBody'], op.node.requestBody);
      const content = (isObject(node.content) ? node.content : {}) as Json;
      if (recorded.body === undefined) {
        if (node.required === true) add('request-body', 'the contract requires a body; none was sent');
      } else {
        const mediaType = (headerValue(recorded.headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        const media = content[mediaType];
        if (!isObject(media))
          add(
            'request-body',
            `content-type "${mediaType || '(none)'}" is not one of ${Object.keys(content).join(', ') || '(none)'}`,
          );
        else if (mediaType.endsWith('json') && typeof recorded.body === 'string' && !isJsonText(recorded.body))
          add('request-body', 'the body is not valid JSON');
        else if (isObject(media.schema) || typeof media.schema === 'boolean') {
          const check = schemaAt([...pointer, 'content', mediaType, 'schema']);
          if (!check(recorded.body)) add('request-body', describeErrors(check.errors, 'body'));
        }
      }
    }

    validateResponse(op, recorded, add);
    return violations;
  }

  function validateResponse(
    op: CompiledOperation,
    recorded: ExchangeUnderTest,
    add: (rule: ViolationRule, message: string) => void,
  ) {
    // Injected faults are deliberately off-contract; an unmatched request already failed the operation check.
    if (recorded.servedBy === 'fault' || recorded.servedBy === 'unmatched') return;
    const responses = (isObject(op.node.responses) ? op.node.responses : {}) as Json;
    const status = String(recorded.status);
    const key = [status, `${status[0]}XX`, `${status[0]}xx`, 'default'].find((k) => k in responses);
    if (key === undefined) {
      // The auth check answers per the vendor's real behaviour even where the contract is silent (Leen's 401).
      if (recorded.servedBy === 'auth') return;
      // Where the vendor documents no error response at all (Supervity, ProjectManager), an error status has
      // nothing to be validated against; where it documents some, an undocumented one is a violation.
      const documentsErrors = Object.keys(responses).some((k) => /^[45]/.test(k) || k === 'default');
      if (recorded.status >= 400 && !documentsErrors) return;
      add('response', `status ${status} is not documented (documented: ${Object.keys(responses).join(', ')})`);
      return;
    }
    const { pointer, node } = deref([...op.pointer, 'responses', key], responses[key]);
    const content = isObject(node.content) ? node.content : undefined;
    if (!content) return; // No body modelled (Supervity's PATCH …/sharing): nothing to validate.
    const media = isObject(content['application/json']) ? content['application/json'] : undefined;
    if (!media || !(isObject(media.schema) || typeof media.schema === 'boolean')) return;
    if (recorded.responseBody === undefined) {
      add('response', `status ${status} must have a JSON body (${key} response), but had none`);
      return;
    }
    const check = schemaAt([...pointer, 'content', 'application/json', 'schema']);
    if (!check(recorded.responseBody))
      add(
        'response',
        `status ${status} body does not match the ${key} response schema: ${describeErrors(check.errors, 'body')}`,
      );
  }

  // Resolve every operation's parameters and request body now, so a broken $ref fails at load, not mid-test.
  // (Schemas compile on first use: a guard catches compile errors and reports them as violations.)
  for (const op of operations) {
    parametersOf(op);
    if (op.node.requestBody !== undefined) deref([...op.pointer, 'requestBody'], op.node.requestBody);
  }

  return {
    vendor,
    file,
    operations: operations.map(({ operationId, method, path, responses }) => ({
      operationId,
      method,
      path,
      responses,
    })),
    findOperation(method, path) {
      const op = findCompiled(method, path);
      return op && { operationId: op.operationId, method: op.method, path: op.path, responses: op.responses };
    },
    validate,
  };
}

function isJsonText(text: string) {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Validates many recorded requests of one vendor; the violations of all of them, in order. */
export function validateTraffic(vendor: Vendor, traffic: readonly ExchangeUnderTest[]): ContractViolation[] {
  const contract = loadContract(vendor);
  return traffic.flatMap((r) => contract.validate(r));
}
