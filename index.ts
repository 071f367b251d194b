import * as pulumi from "@pulumi/pulumi";
import { platform } from "./stacks";

export = platform(pulumi.getStack());
