// Command pulumi-language-nodejs is a minimal Pulumi Node.js language host for this project's
// offline toolchain (see ../README.md). The upstream host's module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) is not served by the Go
// module proxy, and the last published copy (inside sdk/v3 v3.68.0, ../pulumi-language-nodejs)
// predates the engine's current protocol: it cannot run policy packs (RunPlugin) and finds no
// plugins when Pulumi.yaml has `main: <file>`. This host implements the current protocol on top
// of the same sdk/v3 release as the CLI, and runs programs with the Node.js SDK's own entry
// points (@pulumi/pulumi/cmd/run, cmd/run-plugin) resolved from the program's node_modules.
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"google.golang.org/grpc"
	pbempty "google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Exit code with which the Node.js SDK reports that it already showed the user an error.
const nodeExitedAfterUserMessage = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
}

func main() {
	// The engine passes its address as the last argument; older engines also pass -flags.
	var engine string
	for _, a := range os.Args[1:] {
		if !strings.HasPrefix(a, "-") {
			engine = a
		}
	}
	h := &host{engineAddress: engine}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "fatal: could not start language host RPC server: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "fatal: language host RPC server stopped: %v\n", err)
		os.Exit(1)
	}
}

// --- program info / options ----------------------------------------------------------------

type options struct {
	typescript     bool
	tsconfig       string
	nodeargs       []string
	packagemanager string
}

func parseOptions(info *pulumirpc.ProgramInfo) options {
	o := options{typescript: true}
	if info == nil || info.GetOptions() == nil {
		return o
	}
	m := info.GetOptions().AsMap()
	if v, ok := m["typescript"].(bool); ok {
		o.typescript = v
	}
	if v, ok := m["tsconfig"].(string); ok {
		o.tsconfig = v
	}
	if v, ok := m["nodeargs"].(string); ok && strings.TrimSpace(v) != "" {
		o.nodeargs = strings.Fields(v)
	}
	if v, ok := m["packagemanager"].(string); ok {
		o.packagemanager = v
	}
	return o
}

func programDir(info *pulumirpc.ProgramInfo, fallback string) string {
	if info != nil && info.GetProgramDirectory() != "" {
		return info.GetProgramDirectory()
	}
	return fallback
}

// locate resolves a module the way the program itself would (require.resolve from its directory).
func locate(dir, module string) (string, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return "", errors.New("could not find node on the $PATH")
	}
	cmd := exec.Command(node, "-e", "process.stdout.write(require.resolve(process.argv[1]))", module)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("it looks like the Pulumi SDK has not been installed: could not resolve %s "+
			"from %s (have you run `npm install`?): %s", module, dir, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// --- required plugins / packages ------------------------------------------------------------

type pkgJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  *struct {
		Resource         bool   `json:"resource"`
		Name             string `json:"name"`
		Version          string `json:"version"`
		Server           string `json:"server"`
		Parameterization *struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			Value   string `json:"value"`
		} `json:"parameterization"`
	} `json:"pulumi"`
	Dependencies map[string]string `json:"dependencies"`
}

// requiredPackages walks node_modules (and nested node_modules) below dir for packages that
// declare `"pulumi": {"resource": true}` in their package.json.
func requiredPackages(dir string) ([]*pulumirpc.PackageDependency, error) {
	seen := map[string]bool{}
	var out []*pulumirpc.PackageDependency
	var walk func(nm string) error
	walk = func(nm string) error {
		entries, err := os.ReadDir(nm)
		if err != nil {
			return nil // no node_modules here
		}
		for _, e := range entries {
			if !e.IsDir() && e.Type()&os.ModeSymlink == 0 {
				continue
			}
			p := filepath.Join(nm, e.Name())
			if strings.HasPrefix(e.Name(), "@") {
				if err := walk(p); err != nil {
					return err
				}
				continue
			}
			if strings.HasPrefix(e.Name(), ".") {
				continue
			}
			b, err := os.ReadFile(filepath.Join(p, "package.json"))
			if err == nil {
				var pj pkgJSON
				if json.Unmarshal(b, &pj) == nil && pj.Pulumi != nil && pj.Pulumi.Resource {
					name := pj.Pulumi.Name
					if name == "" {
						name = strings.TrimPrefix(pj.Name, "@pulumi/")
					}
					ver := pj.Pulumi.Version
					if ver == "" {
						ver = pj.Version
					}
					dep := &pulumirpc.PackageDependency{Kind: "resource", Name: name, Version: ver, Server: pj.Pulumi.Server}
					if pr := pj.Pulumi.Parameterization; pr != nil {
						val, err := base64.StdEncoding.DecodeString(pr.Value)
						if err != nil {
							return fmt.Errorf("%s: bad parameterization value: %w", p, err)
						}
						dep.Parameterization = &pulumirpc.PackageParameterization{Name: pr.Name, Version: pr.Version, Value: val}
					}
					key := dep.Name + "@" + dep.Version
					if dep.Parameterization != nil {
						key += "/" + dep.Parameterization.Name + "@" + dep.Parameterization.Version
					}
					if !seen[key] {
						seen[key] = true
						out = append(out, dep)
					}
				}
			}
			if err := walk(filepath.Join(p, "node_modules")); err != nil {
				return err
			}
		}
		return nil
	}
	// node resolves from the program directory upwards.
	for d := dir; ; d = filepath.Dir(d) {
		if err := walk(filepath.Join(d, "node_modules")); err != nil {
			return nil, err
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name+out[i].Version < out[j].Name+out[j].Version })
	return out, nil
}

func (h *host) GetRequiredPackages(ctx context.Context,
	req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	pkgs, err := requiredPackages(programDir(req.GetInfo(), "."))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: pkgs}, nil
}

func (h *host) GetRequiredPlugins(ctx context.Context,
	req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	pkgs, err := requiredPackages(programDir(req.GetInfo(), req.GetPwd())) //nolint:staticcheck
	if err != nil {
		return nil, err
	}
	var plugins []*pulumirpc.PluginDependency
	for _, p := range pkgs {
		if p.Parameterization == nil {
			plugins = append(plugins, &pulumirpc.PluginDependency{Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server})
		}
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

// --- run ------------------------------------------------------------------------------------

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	dir := programDir(info, req.GetPwd())
	opts := parseOptions(info)
	runPath, err := locate(dir, "@pulumi/pulumi/cmd/run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	entry := req.GetProgram() //nolint:staticcheck
	if info != nil && info.GetEntryPoint() != "" {
		entry = info.GetEntryPoint()
	}
	if entry == "" {
		entry = "."
	}
	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath, "--monitor", req.GetMonitorAddress())
	add := func(flag, v string) {
		if v != "" {
			args = append(args, flag, v)
		}
	}
	add("--engine", h.engineAddress)
	add("--organization", req.GetOrganization())
	add("--project", req.GetProject())
	add("--stack", req.GetStack())
	add("--pwd", req.GetPwd())
	if info != nil {
		add("--root-directory", info.GetRootDirectory())
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() > 0 {
		args = append(args, "--parallel", strconv.Itoa(int(req.GetParallel())))
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	cfg, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	keys, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(cfg),
		"PULUMI_CONFIG_SECRET_KEYS="+string(keys),
		"PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(opts.typescript))
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}

	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			if exit.ExitCode() == nodeExitedAfterUserMessage {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exit.ExitCode())}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// --- plugins written in Node.js (policy packs) ----------------------------------------------

type streamWriter struct {
	mu   *sync.Mutex
	send func([]byte) error
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := append([]byte(nil), p...)
	if err := w.send(b); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	info := req.GetInfo()
	dir := programDir(info, req.GetPwd())
	opts := parseOptions(info)
	runPath, err := locate(dir, "@pulumi/pulumi/cmd/run-plugin")
	if err != nil {
		return err
	}
	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath, dir)
	args = append(args, req.GetArgs()...)
	var mu sync.Mutex
	cmd := exec.Command("node", args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	cmd.Stdout = streamWriter{&mu, func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	}}
	cmd.Stderr = streamWriter{&mu, func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	}}
	code := 0
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return err
		}
		code = exit.ExitCode()
	}
	mu.Lock()
	defer mu.Unlock()
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
}

// --- misc -----------------------------------------------------------------------------------

func (h *host) GetPluginInfo(ctx context.Context, _ *pbempty.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest,
	server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	dir := programDir(req.GetInfo(), req.GetDirectory()) //nolint:staticcheck
	pm := parseOptions(req.GetInfo()).packagemanager
	if pm == "" {
		pm = "npm"
	}
	var mu sync.Mutex
	cmd := exec.Command(pm, "install")
	cmd.Dir = dir
	cmd.Stdout = streamWriter{&mu, func(b []byte) error {
		return server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: b})
	}}
	cmd.Stderr = streamWriter{&mu, func(b []byte) error {
		return server.Send(&pulumirpc.InstallDependenciesResponse{Stderr: b})
	}}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s install failed in %s: %w", pm, dir, err)
	}
	return nil
}

func (h *host) About(ctx context.Context, _ *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("could not find node on the $PATH")
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: node, Version: strings.TrimPrefix(strings.TrimSpace(string(out)), "v")}, nil
}

func (h *host) GetProgramDependencies(ctx context.Context,
	req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := programDir(req.GetInfo(), req.GetPwd()) //nolint:staticcheck
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, err
	}
	var pj pkgJSON
	if err := json.Unmarshal(b, &pj); err != nil {
		return nil, err
	}
	var deps []*pulumirpc.DependencyInfo
	for name := range pj.Dependencies {
		v := pj.Dependencies[name]
		if ib, err := os.ReadFile(filepath.Join(dir, "node_modules", name, "package.json")); err == nil {
			var ipj pkgJSON
			if json.Unmarshal(ib, &ipj) == nil && ipj.Version != "" {
				v = ipj.Version
			}
		}
		deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: v})
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}
