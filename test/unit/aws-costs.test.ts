/**
 * What an environment costs on AWS, decided in config: an explicit EKS support policy, VPC endpoints instead of
 * traffic through NAT, flow logs to S3, and the control-plane log types.
 */
import { CONTROL_PLANE_LOG_TYPES } from "../../config/sections/cluster";
import { EKS_STACKS, readStackConfig, runStack, StackRun } from "../../mock-engine";
import { runsBeforeAll } from "../stack-runs";

type Stack = (typeof EKS_STACKS)[number];

const runs = runsBeforeAll(EKS_STACKS);

const ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
const cluster = (run: StackRun) => run.one("aws:eks/cluster:Cluster", "cluster-eks").inputs;
const network = (stack: Stack) => readStackConfig(stack)["platform:network"];
const privateRouteTables = (run: StackRun) => run.ofType("aws:ec2/routeTable:RouteTable").filter((t) => t.name.includes("private"));

describe("the EKS support policy is explicit", () => {
  test.each(EKS_STACKS)("%s: standard support, so the cluster never moves into extended-support pricing by default", (stack) => {
    expect(cluster(runs[stack]).upgradePolicy).toEqual({ supportType: "STANDARD" });
  });

  test("extended support is a per-environment config decision", async () => {
    const run = await runStack("stage", { configure: (c) => (c["platform:cluster"].supportType = "EXTENDED") });
    expect(cluster(run).upgradePolicy).toEqual({ supportType: "EXTENDED" });
  });
});

describe("VPC endpoints", () => {
  test.each(EKS_STACKS)("%s: an S3 gateway endpoint on every private route table", (stack) => {
    const s3 = runs[stack].one(ENDPOINT, "network-endpoints-s3").inputs;
    expect(s3).toMatchObject({ vpcId: "network-vpc-id", serviceName: "com.amazonaws.eu-west-1.s3", vpcEndpointType: "Gateway" });
    expect([...s3.routeTableIds].sort()).toEqual(
      privateRouteTables(runs[stack])
        .map((t) => `${t.name}-id`)
        .sort(),
    );
  });

  test.each(EKS_STACKS)("%s: ECR (api, dkr) and STS interface endpoints exactly where config lists them (prod and stage)", (stack) => {
    const interfaces = runs[stack].ofType(ENDPOINT).filter((e) => e.inputs.vpcEndpointType === "Interface");
    const listed: string[] = network(stack).interfaceEndpoints ?? [];
    expect(interfaces.map((e) => e.inputs.serviceName).sort()).toEqual(listed.map((s) => `com.amazonaws.eu-west-1.${s}`).sort());
    expect(listed.length > 0).toBe(stack === "prod" || stack === "stage");
    const privateSubnets = runs[stack]
      .ofType("aws:ec2/subnet:Subnet")
      .filter((s) => s.name.includes("private"))
      .map((s) => `${s.name}-id`);
    for (const endpoint of interfaces) {
      expect(endpoint.inputs).toMatchObject({ privateDnsEnabled: true, securityGroupIds: ["network-endpoints-interface-id"] });
      expect(endpoint.inputs.subnetIds).toEqual(privateSubnets);
    }
    if (listed.length > 0) {
      const https = runs[stack].one(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "network-endpoints-interface-https",
      ).inputs;
      expect(https).toMatchObject({
        securityGroupId: "network-endpoints-interface-id",
        cidrIpv4: network(stack).vpcCidr,
        fromPort: 443,
        toPort: 443,
      });
    }
  });
});

describe("flow logs to S3, control-plane log types from config", () => {
  test.each(EKS_STACKS)("%s: flow logs go to a private, encrypted bucket that expires them after flowLogs.retentionDays", (stack) => {
    const run = runs[stack];
    const configured = network(stack).flowLogs;
    expect(run.ofType("aws:ec2/flowLog:FlowLog")).toHaveLength(configured ? 1 : 0);
    expect(run.ofType("aws:cloudwatch/logGroup:LogGroup").filter((g) => g.name.includes("flow-logs"))).toEqual([]);
    if (!configured) return;
    const flowLog = run.one("aws:ec2/flowLog:FlowLog", "network-flow-logs-vpc").inputs;
    expect(flowLog).toMatchObject({
      vpcId: "network-vpc-id",
      trafficType: "ALL",
      logDestinationType: "s3",
      logDestination: expect.stringMatching(/network-flow-logs-bucket$/),
      destinationOptions: { fileFormat: "parquet", hiveCompatiblePartitions: true, perHourPartition: true },
    });
    expect(flowLog.iamRoleArn).toBeUndefined();
    const bucket = run.one("aws:s3/bucket:Bucket", "network-flow-logs-bucket");
    expect(bucket.inputs.bucket).toBe(`${stack}-flow-logs-${readStackConfig(stack)["platform:aws"].accountId}-eu-west-1`);
    const lifecycle = run.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "network-flow-logs-lifecycle").inputs;
    expect(lifecycle.rules[0]).toMatchObject({ status: "Enabled", expiration: { days: configured.retentionDays } });
    const policy = JSON.parse(run.one("aws:s3/bucketPolicy:BucketPolicy", "network-flow-logs-policy").inputs.policy);
    const write = policy.Statement.find((s: { Sid: string }) => s.Sid === "AWSLogDeliveryWrite");
    expect(write).toMatchObject({ Principal: { Service: "delivery.logs.amazonaws.com" }, Action: "s3:PutObject" });
    expect(write.Condition.StringEquals["aws:SourceAccount"]).toBe(readStackConfig(stack)["platform:aws"].accountId);
    // Protected stacks keep the records as audit evidence.
    const protect = readStackConfig(stack)["platform:environment"].protectStatefulResources === true;
    expect([bucket.protect, bucket.retainOnDelete, bucket.inputs.forceDestroy]).toEqual([protect, protect, !protect]);
  });

  test.each(EKS_STACKS)("%s: the control plane logs the configured types, all of them by default", (stack) => {
    const configured = readStackConfig(stack)["platform:cluster"].controlPlaneLogTypes ?? CONTROL_PLANE_LOG_TYPES;
    expect([...cluster(runs[stack]).enabledClusterLogTypes].sort()).toEqual([...configured].sort());
  });

  test("e2e logs api, audit and authenticator only, which is what its policy config requires", () => {
    expect([...cluster(runs.e2e).enabledClusterLogTypes].sort()).toEqual(["api", "audit", "authenticator"]);
  });
});
