// Command pulumi-resource-kubernetes is the Pulumi Kubernetes resource provider
// plugin. The upstream main package (provider/v4/cmd/pulumi-resource-kubernetes)
// embeds schema files that its `go generate` step writes next to it and that are
// therefore absent from the published module, so it cannot be built from the
// module cache. This equivalent entry point embeds the same generated files;
// scripts/toolchain.sh generates them from the module's schema.json and
// terraform-mapping.json (stamping the plugin version into the schema) and
// supplies them with `go build -overlay`.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
