/** Team names and namespaces the platform keeps for itself, and the public-ingress grant, in each stack and in a tenancy shard. */
import { PLATFORM_INGRESS_GROUP } from "../../lib/naming";
import { violationsOf } from "../config-errors";
import { StackConfig } from "../../mock-engine";

const firstTeam = (c: StackConfig) => c["platform:teams"][0];

describe("a team's name and namespaces", () => {
  test("a team named after a platform service would own its DNS name", async () => {
    expect(await violationsOf("prod", (c) => (firstTeam(c).name = "grafana"))).toEqual([
      '  platform:teams[0].name = "grafana": expected a team name that is not one of the platform\'s services (grafana, kibana, dex, alertmanager, prometheus, vpn, auth, api, dashboards): a team owns <team>.<environment>.<domain> and the names under it, and "grafana" is the platform\'s',
    ]);
  });

  test("nor may a team be named after the dashboards' load balancer group, which its Ingresses could then join", async () => {
    expect(await violationsOf("prod", (c) => (firstTeam(c).name = PLATFORM_INGRESS_GROUP))).toEqual([
      expect.stringMatching(
        /^ {2}platform:teams\[0\]\.name = "dashboards": expected a team name that is not one of the platform's services/,
      ),
    ]);
  });

  test("the ingress namespace is the platform's even where no controller is configured", async () => {
    expect(await violationsOf("local", (c) => (firstTeam(c).namespaces = ["alpha", "ingress"]))).toEqual([
      "  platform:teams[0].namespaces[1] = \"ingress\": expected a namespace other than the ingress controller's (ingress): team namespaces admit its traffic, so it is the platform's",
    ]);
  });

  test("so is the configured ingress namespace, named once when the team's name is that namespace", async () => {
    const lines = await violationsOf("prod", (c) => {
      c["platform:tenancy"].ingressNamespace = "edge";
      firstTeam(c).name = "edge";
      delete firstTeam(c).namespaces;
    });
    expect(lines).toEqual([
      "  platform:teams[0].name = \"edge\": expected a namespace other than the ingress controller's (ingress, edge): team namespaces admit its traffic, so it is the platform's",
    ]);
  });

  test("a tenancy shard's teams are held to the same names, against its environment's ingress namespace", async () => {
    const lines = await violationsOf("prod-tenancy-1", (c) => {
      c["platform:teams"] = [
        { name: "kibana", owner: "o@example.com", costCentre: "cc-1", groups: { developers: ["k"] } },
        { name: "edge", owner: "o@example.com", costCentre: "cc-1", namespaces: ["ingress"], groups: { developers: ["e"] } },
      ];
    });
    expect(lines).toEqual([
      expect.stringMatching(/^ {2}platform:teams\[0\]\.name = "kibana": expected a team name that is not one of the platform's services/),
      expect.stringMatching(
        /^ {2}platform:teams\[1\]\.namespaces\[0\] = "ingress": expected a namespace other than the ingress controller's/,
      ),
    ]);
  });
});

describe("the public-ingress grant", () => {
  test("is a boolean", async () => {
    expect(await violationsOf("prod", (c) => (firstTeam(c).publicIngress = "yes"))).toEqual([
      '  platform:teams[0].publicIngress = "yes": expected true or false, not a string (write true or false without quotes)',
    ]);
  });
});
