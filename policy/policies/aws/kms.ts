/** KMS keys rotate their key material yearly (or as configured), limiting what one leaked key version decrypts. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { described } from "../catalogue";

export const kmsKeyRotation: ResourceValidationPolicy = {
  ...described("aws-kms-key-rotation"),
  validateResource: (args, reportViolation) => {
    if (args.type !== "aws:kms/key:Key") return;
    // Asymmetric and HMAC keys cannot rotate automatically.
    if ((args.props.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT") !== "SYMMETRIC_DEFAULT") return;
    if (args.props.enableKeyRotation !== true) reportViolation("The key does not rotate: set enableKeyRotation to true.");
  },
};
