/**
 * A minimal Kubernetes API client for verification. It talks to the cluster through `kubectl proxy`, so that
 * every kubeconfig kubectl understands works (client certificates, tokens, exec plugins such as
 * `aws eks get-token`) and every request carries the API server's own warnings back (`Warning` headers).
 */
import { ChildProcess, spawn } from "child_process";
import { KubeObject } from "./collect";

export interface ApiResource {
  readonly plural: string;
  readonly namespaced: boolean;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: any;
  readonly warnings: string[];
}

export class KubeApi {
  private resources = new Map<string, ApiResource>();

  private constructor(
    private readonly proxy: ChildProcess,
    private readonly base: string,
  ) {}

  /** Starts `kubectl proxy` on a free loopback port for the kubeconfig (and context, if given); `env` finds kubectl. */
  static async connect(kubeconfig: string, context: string | undefined, env: NodeJS.ProcessEnv): Promise<KubeApi> {
    const args = ["proxy", "--port=0", "--address=127.0.0.1", `--kubeconfig=${kubeconfig}`, ...(context ? [`--context=${context}`] : [])];
    const proxy = spawn("kubectl", args, { stdio: ["ignore", "pipe", "pipe"], env });
    const base = await new Promise<string>((resolve, reject) => {
      let output = "";
      const timer = setTimeout(() => reject(new Error(`kubectl proxy did not start: ${output.trim()}`)), 30_000);
      const listen = (chunk: Buffer) => {
        output += chunk.toString();
        const match = output.match(/Starting to serve on (127\.0\.0\.1:\d+)/);
        if (match) {
          clearTimeout(timer);
          resolve(`http://${match[1]}`);
        }
      };
      proxy.stdout!.on("data", listen);
      proxy.stderr!.on("data", listen);
      proxy.on("exit", (code) => reject(new Error(`kubectl proxy exited (${code}): ${output.trim()}`)));
    });
    const api = new KubeApi(proxy, base);
    await api.discover();
    return api;
  }

  close(): void {
    this.proxy.kill();
  }

  async request(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<ApiResponse> {
    const response = await fetch(this.base + path, {
      method,
      headers: body === undefined ? {} : { "content-type": contentType },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // non-JSON bodies (rare errors from the proxy itself) stay text
    }
    return { status: response.status, body: parsed, warnings: parseWarnings(response.headers.get("warning")) };
  }

  async serverVersion(): Promise<string> {
    return (await this.request("GET", "/version")).body.gitVersion;
  }

  /** Reads which kinds the cluster serves (again after CRDs were added). */
  async discover(): Promise<void> {
    const resources = new Map<string, ApiResource>();
    const groupVersions = ["v1"];
    const groups = (await this.request("GET", "/apis")).body.groups as { versions: { groupVersion: string }[] }[];
    for (const group of groups) groupVersions.push(...group.versions.map((v) => v.groupVersion));
    await Promise.all(
      groupVersions.map(async (gv) => {
        const list = (await this.request("GET", gv === "v1" ? "/api/v1" : `/apis/${gv}`)).body;
        for (const r of list.resources ?? []) {
          if (!r.name.includes("/")) resources.set(`${gv}/${r.kind}`, { plural: r.name, namespaced: r.namespaced });
        }
      }),
    );
    this.resources = resources;
  }

  /** `group/version` and `group/version/Kind` of everything served, as Helm's `--api-versions` takes them. */
  apiVersions(): string[] {
    const kinds = [...this.resources.keys()];
    return [...new Set(kinds.map((k) => k.slice(0, k.lastIndexOf("/"))))].concat(kinds).sort();
  }

  resourceOf(object: KubeObject): ApiResource | undefined {
    return this.resources.get(`${object.apiVersion}/${object.kind}`);
  }

  /** The collection path of an object's kind (in its namespace when namespaced). */
  collectionPath(object: KubeObject, resource: ApiResource): string {
    const root = object.apiVersion.includes("/") ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
    const namespace = resource.namespaced ? `/namespaces/${object.metadata.namespace}` : "";
    return `${root}${namespace}/${resource.plural}`;
  }

  /** Server-side apply, as the Kubernetes provider does; `dryRun` makes the server admit it without storing it. */
  async apply(object: KubeObject, resource: ApiResource, dryRun: boolean): Promise<ApiResponse> {
    const query = `fieldManager=platform-verify&force=true${dryRun ? "&dryRun=All" : ""}`;
    const path = `${this.collectionPath(object, resource)}/${encodeURIComponent(object.metadata.name!)}?${query}`;
    return this.request("PATCH", path, object, "application/apply-patch+yaml");
  }

  /** Creates an object with a server-side dry run (nothing is stored). */
  async dryRunCreate(object: KubeObject, resource: ApiResource): Promise<ApiResponse> {
    return this.request("POST", `${this.collectionPath(object, resource)}?dryRun=All`, object);
  }
}

/** `299 - "text"` warning values (RFC 7234), as the API server sends them, possibly several in one header. */
export function parseWarnings(header: string | null): string[] {
  if (!header) return [];
  return [...header.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, "$1"));
}

/** The API server's reason for a refusal, in one line. */
export function refusal(response: ApiResponse): string {
  const message = typeof response.body === "object" && response.body?.message ? response.body.message : String(response.body);
  return `${response.status} ${message}`.replace(/\s+/g, " ").trim();
}
