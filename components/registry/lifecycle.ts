import { RegistriesConfig } from "../../config/sections/registries";

/**
 * Registry garbage collection as an ECR lifecycle policy: untagged images (layers no tag points at any more,
 * left behind by re-pushed tags) expire after a few days, and of the tagged images only the newest are kept.
 */
export function lifecyclePolicy(lifecycle: RegistriesConfig["lifecycle"]) {
  return {
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images after ${lifecycle.untaggedExpiryDays} days`,
        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: lifecycle.untaggedExpiryDays },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `Keep the newest ${lifecycle.keepTaggedImages} tagged images`,
        selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: lifecycle.keepTaggedImages },
        action: { type: "expire" },
      },
    ],
  };
}
