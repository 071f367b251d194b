import * as pulumi from "@pulumi/pulumi";
import { bootstrap } from "./program";

export = bootstrap(pulumi.getStack());
