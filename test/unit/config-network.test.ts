/**
 * The network is checked before any resource: Availability Zones per Region (lib/aws-regions.ts), a VPC large
 * enough for its subnets (lib/cidr.ts), and a service range EKS accepts. Each used to fail after resources
 * were registered, with a stack trace from inside the program.
 */
import { AWS_REGIONS, usableAvailabilityZones } from "../../lib/aws-regions";
import { layoutSubnets, subnetLayoutProblem } from "../../lib/cidr";
import { violationsOf as configViolations } from "../config-errors";
import { StackConfig } from "../../mock-engine";

/** The violation lines of a short message (no deep error text). */
async function violationsOf(stack: string, configure: (c: StackConfig) => void): Promise<string[]> {
  const lines = await configViolations(stack, configure);
  expect(lines.join("\n").length).toBeLessThan(1000);
  return lines;
}

const network = (c: StackConfig) => c["platform:network"];

describe("Availability Zones per Region", () => {
  test("more AZs than the Region offers is a config error naming the stack, the key and the Region", async () => {
    const lines = await violationsOf("prod", (c) => (network(c).azCount = 4));
    expect(lines).toEqual([
      expect.stringMatching(
        /^ {2}platform:network\.azCount = 4: expected at most 3: aws\.region eu-west-1 has 3 Availability Zones an EKS VPC can use \(lib\/aws-regions\.ts/,
      ),
    ]);
  });

  test("constrained zones do not count (us-west-1 offers two)", async () => {
    const lines = await violationsOf("stage", (c) => (c["platform:aws"].region = "us-west-1"));
    expect(lines).toEqual([expect.stringMatching(/platform:network\.azCount = 3: expected at most 2: aws\.region us-west-1 has 2/)]);
  });

  test("a Region the table does not know is named, with where to add it", async () => {
    const lines = await violationsOf("e2e", (c) => (c["platform:aws"].region = "eu-west-9"));
    expect(lines).toEqual([expect.stringMatching(/platform:aws\.region = "eu-west-9": expected a Region listed in lib\/aws-regions\.ts/)]);
  });

  test("the table gives every Region at least the two AZs EKS needs, and at most the six the schema allows", () => {
    for (const region of AWS_REGIONS) {
      expect(usableAvailabilityZones(region)).toBeGreaterThanOrEqual(2);
      expect(usableAvailabilityZones(region)).toBeLessThanOrEqual(6);
    }
    expect(usableAvailabilityZones("us-east-1")).toBe(5);
    expect(usableAvailabilityZones("xx-nowhere-1")).toBeUndefined();
  });
});

describe("the VPC must hold its subnets", () => {
  test("a VPC too small for its subnets is a config error on network.vpcCidr", async () => {
    const lines = await violationsOf("prod", (c) => (network(c).vpcCidr = "10.30.0.0/26"));
    expect(lines).toEqual([
      expect.stringMatching(
        /^ {2}platform:network\.vpcCidr = "10\.30\.0\.0\/26": expected a VPC prefix of \/24 or shorter for 3 AZs: each AZ gets a \/28 private subnet and a \/30 public one, and AWS subnets are \/28 at the smallest$/,
      ),
      // A range the hub does not route is a second mistake of the same edit (config/rules-delivery.ts).
      expect.stringMatching(
        /platform:network\.vpcCidr = "10\.30\.0\.0\/26": expected 10\.30\.0\.0\/16, the range admin\.spokes\[prod\] routes/,
      ),
    ]);
  });

  test("the size needed follows the AZ count", async () => {
    const lines = await violationsOf("e2e", (c) => (network(c).vpcCidr = "10.10.0.0/25"));
    expect(lines).toEqual([
      expect.stringMatching(
        /platform:network\.vpcCidr = "10\.10\.0\.0\/25": expected a VPC prefix of \/24 or shorter for 2 AZs: each AZ gets a \/27 private subnet and a \/29 public one/,
      ),
      expect.stringMatching(/expected 10\.10\.0\.0\/16, the range admin\.spokes\[e2e\] routes/),
    ]);
  });

  test("a VPC larger than AWS allows", async () => {
    const lines = await violationsOf("e2e", (c) => (network(c).vpcCidr = "10.0.0.0/8"));
    expect(lines).toEqual([expect.stringMatching(/platform:network\.vpcCidr = "10\.0\.0\.0\/8": expected a VPC CIDR from \/16 to \/28/)]);
  });

  test("subnetLayoutProblem agrees with layoutSubnets for every size and AZ count", () => {
    for (let prefix = 16; prefix <= 28; prefix++) {
      for (let azCount = 1; azCount <= 6; azCount++) {
        const vpc = `10.0.0.0/${prefix}`;
        const carve = () => layoutSubnets(vpc, azCount);
        if (subnetLayoutProblem(vpc, azCount)) expect(carve).toThrow();
        else expect(carve).not.toThrow();
      }
    }
  });
});

describe("the service range", () => {
  test("inside the VPC", async () => {
    const lines = await violationsOf("prod", (c) => (c["platform:cluster"].serviceCidr = "10.30.128.0/20"));
    expect(lines).toEqual([
      expect.stringMatching(
        /platform:cluster\.serviceCidr = "10\.30\.128\.0\/20": expected a range that does not overlap network\.vpcCidr 10\.30\.0\.0\/16: EKS refuses/,
      ),
    ]);
  });

  test("outside the private ranges, or of a size EKS does not take", async () => {
    for (const range of ["100.64.0.0/16", "10.0.0.0/11", "10.200.0.0/25"]) {
      const lines = await violationsOf("prod", (c) => (c["platform:cluster"].serviceCidr = range));
      expect(lines).toEqual([
        expect.stringMatching(
          /platform:cluster\.serviceCidr = ".*": expected a CIDR from \/12 to \/24 inside 10\.0\.0\.0\/8, 172\.16\.0\.0\/12, 192\.168\.0\.0\/16/,
        ),
      ]);
    }
  });
});
