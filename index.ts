import * as pulumi from "@pulumi/pulumi";
import { skipSdkBookkeepingTraces } from "./lib/stack-traces";
import { platform } from "./stacks";

skipSdkBookkeepingTraces();
export = platform(pulumi.getStack());
