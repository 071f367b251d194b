/** IPv4 CIDR arithmetic: subnet layout for VPCs and overlap checks between VPC, pod and service ranges. */

export interface Cidr {
  readonly network: number;
  readonly prefix: number;
}

/** AWS subnets (and VPCs) are /28 at the smallest. */
export const SMALLEST_AWS_SUBNET_PREFIX = 28;

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function parseCidr(text: string): Cidr | undefined {
  const match = CIDR_PATTERN.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const network = address - (address % blockSize(prefix));
  // A CIDR with host bits set is almost always a typo for a different range.
  return network === address ? { network, prefix } : undefined;
}

export function formatCidr(cidr: Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(cidr.network / 2 ** shift) % 256);
  return `${octets.join(".")}/${cidr.prefix}`;
}

function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

export function cidrsOverlap(a: string, b: string): boolean {
  const [x, y] = [mustParse(a), mustParse(b)];
  return x.network < y.network + blockSize(y.prefix) && y.network < x.network + blockSize(x.prefix);
}

/** Whether every address of `inner` lies in `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
  const [o, i] = [mustParse(outer), mustParse(inner)];
  return o.prefix <= i.prefix && i.network >= o.network && i.network + blockSize(i.prefix) <= o.network + blockSize(o.prefix);
}

/** The `index`-th block of prefix length `prefix + extraBits` inside `cidr`. */
export function subdivide(cidr: string, extraBits: number, index: number): string {
  const parent = mustParse(cidr);
  const prefix = parent.prefix + extraBits;
  if (prefix > SMALLEST_AWS_SUBNET_PREFIX || index >= 2 ** extraBits) {
    throw new Error(`cannot carve block ${index} of /${prefix} out of ${cidr}`);
  }
  return formatCidr({ network: parent.network + index * blockSize(prefix), prefix });
}

export interface SubnetLayout {
  readonly privateCidrs: string[];
  readonly publicCidrs: string[];
}

/** Extra prefix bits `layoutSubnets` uses for `azCount` AZs: room for one private block per AZ plus the public block. */
function layoutBits(azCount: number): number {
  return Math.ceil(Math.log2(azCount + 1));
}

/**
 * Why `layoutSubnets(vpcCidr, azCount)` cannot carve the VPC, as an "expected …" text for a config error;
 * undefined when it can. Config rules call this so that a VPC too small is reported before anything is built.
 */
export function subnetLayoutProblem(vpcCidr: string, azCount: number): string | undefined {
  const vpc = parseCidr(vpcCidr);
  if (!vpc || !Number.isInteger(azCount) || azCount < 1) return undefined;
  const bits = layoutBits(azCount);
  const publicPrefix = vpc.prefix + 2 * bits;
  if (publicPrefix <= SMALLEST_AWS_SUBNET_PREFIX) return undefined;
  const largestUsable = SMALLEST_AWS_SUBNET_PREFIX - 2 * bits;
  return (
    `a VPC prefix of /${largestUsable} or shorter for ${azCount} AZs: each AZ gets a /${vpc.prefix + bits} private subnet and a ` +
    `/${publicPrefix} public one, and AWS subnets are /${SMALLEST_AWS_SUBNET_PREFIX} at the smallest`
  );
}

/**
 * Private subnets take equal large blocks (nodes and pods live there); the last block is split again
 * for the small public subnets, which only hold NAT gateways and load balancers.
 */
export function layoutSubnets(vpcCidr: string, azCount: number): SubnetLayout {
  const bits = layoutBits(azCount);
  const publicBlock = subdivide(vpcCidr, bits, 2 ** bits - 1);
  const azs = [...Array(azCount).keys()];
  return {
    privateCidrs: azs.map((az) => subdivide(vpcCidr, bits, az)),
    publicCidrs: azs.map((az) => subdivide(publicBlock, bits, az)),
  };
}

function mustParse(text: string): Cidr {
  const cidr = parseCidr(text);
  if (!cidr) throw new Error(`not an IPv4 network CIDR: ${text}`);
  return cidr;
}
