/**
 * Config values that name something and would fail at deploy time: addresses, ports and reserved prefixes, Dex's
 * LDAP port and TLS, the mistakes of copying one environment's or account's values into another's file, and list
 * items that would clash as resources. Each is one message naming the stack, the key path and the value, before any
 * resource.
 */
import { admin, pool, testCases } from "./config-cases";

describe("addresses and reserved names", () => {
  testCases([
    [
      "a host name where an IP address is required",
      "admin",
      (c) => (admin(c).vpn.dnsServers = ["10.0.0.2", "dns.corp.example.com"]),
      /platform:admin\.vpn\.dnsServers\[1\] = "dns\.corp\.example\.com": expected an IPv4 address such as 10\.0\.0\.2, not a host name$/,
    ],
    [
      "the OIDC prefix Kubernetes reserves",
      "prod",
      (c) => (c["platform:identity"].oidc.groupsPrefix = "system:"),
      /platform:identity\.oidc\.groupsPrefix = "system:": expected a prefix other than 'system:', which Kubernetes reserves/,
    ],
    [
      "the OIDC username prefix Kubernetes reserves",
      "prod",
      (c) => (c["platform:identity"].oidc.usernamePrefix = "system:"),
      /platform:identity\.oidc\.usernamePrefix = "system:": expected a prefix other than 'system:', which Kubernetes reserves for its own usernames/,
    ],
    [
      "an LDAP port out of range",
      "admin",
      (c) => (admin(c).dex.ldap.host = "ldap.corp.example.com:70000"),
      /platform:admin\.dex\.ldap\.host = "ldap\.corp\.example\.com:70000": expected a port from 1 to 65535$/,
    ],
  ]);
});

describe("Dex's LDAP connection: the port decides StartTLS", () => {
  testCases([
    [
      "StartTLS on the LDAPS port",
      "admin",
      (c) => (admin(c).dex.ldap.startTLS = true),
      /platform:admin\.dex\.ldap\.startTLS = true: expected false with port 636: that port speaks LDAPS/,
    ],
    [
      "LDAPS on the plain LDAP port",
      "admin",
      (c) => (admin(c).dex.ldap.host = "ldap.corp.example.com:389"),
      /platform:admin\.dex\.ldap\.startTLS = \(not set\): expected true with port 389/,
    ],
  ]);
});

describe("values copied from another environment or account", () => {
  testCases([
    [
      "a deploy role of another account",
      "stage",
      (c) => (c["platform:aws"].deployRoleArn = "arn:aws:iam::111111111111:role/platform-deployer"),
      /platform:aws\.deployRoleArn = "arn:aws:iam::111111111111:role\/platform-deployer": expected a role in aws\.accountId 222222222222 \(this ARN is in 111111111111\)/,
    ],
    [
      "a VPN certificate of another Region",
      "admin",
      (c) => (admin(c).vpn.serverCertificateArn = "arn:aws:acm:us-east-1:444444444444:certificate/0c2a3b4d-1111-2222-3333-444455556666"),
      /platform:admin\.vpn\.serverCertificateArn = .*: expected an ACM certificate in aws\.region eu-west-1 and aws\.accountId 444444444444 \(this one is in us-east-1, 444444444444\)/,
    ],
    [
      "a preview role of another account",
      "stage",
      (c) => (c["platform:aws"].previewRoleArn = "arn:aws:iam::111111111111:role/platform-previewer"),
      /platform:aws\.previewRoleArn = "arn:aws:iam::111111111111:role\/platform-previewer": expected a role in aws\.accountId 222222222222 \(this ARN is in 111111111111\)/,
    ],
    [
      "the deploy role as the preview role",
      "prod",
      (c) => (c["platform:aws"].previewRoleArn = c["platform:aws"].deployRoleArn),
      /platform:aws\.previewRoleArn = "arn:aws:iam::111111111111:role\/platform-deployer": expected a role other than aws\.deployRoleArn/,
    ],
    [
      "two admin roles of one name",
      "prod",
      (c) => c["platform:cluster"].adminRoleArns.push("arn:aws:iam::111111111111:role/breakglass/infra-admin"),
      /platform:cluster\.adminRoleArns\[1\] = .*: expected a role whose name differs from arn:aws:iam::111111111111:role\/infra-admin's/,
    ],
    [
      "a hosted zone id with the console's prefix",
      "prod",
      (c) => (c["platform:environment"].hostedZoneId = "/hostedzone/Z0PROD0000000000000001"),
      /hostedZoneId = "\/hostedzone\/Z0PROD0000000000000001": expected a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ \(without the \/hostedzone\/ prefix\)$/,
    ],
    [
      "an account id YAML read as a number",
      "prod",
      (c) => (c["platform:aws"].accountId = 111111111111),
      /platform:aws\.accountId = 111111111111: expected a string, not a number \(quote it in YAML/,
    ],
  ]);
});

describe("lists whose items would clash as resources", () => {
  testCases([
    [
      "an ECR repository twice",
      "prod",
      (c) => c["platform:registries"].repositories.push("payments/api"),
      /platform:registries\.repositories\[4\] = "payments\/api": expected a repository name listed once \(it repeats item 0\)$/,
    ],
    [
      "pull credentials for one server twice",
      "local",
      (c) =>
        (c["platform:registries"] = {
          pullCredentials: [
            { server: "registry.example.com", username: "a" },
            { server: "registry.example.com", username: "b" },
          ],
        }),
      /pullCredentials\[1\]\.server = "registry\.example\.com": expected a server \(one password per server in registryPasswords\) listed once/,
    ],
    [
      "an instance type twice",
      "prod",
      (c) => pool(c, 2).instanceTypes.push("m7i.xlarge"),
      /nodePools\[2\]\.instanceTypes\[4\] = "m7i\.xlarge": expected an instance type listed once \(it repeats item 0\)$/,
    ],
  ]);
});
