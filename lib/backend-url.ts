/** A Pulumi DIY backend in S3, as `pulumi login` takes it and the bootstrap prints it: `s3://<bucket>?region=<region>`. */
export const BACKEND_URL_PATTERN = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\?region=([a-z]{2}(-[a-z]+)+-[0-9])$/;

export interface BackendBucket {
  readonly bucket: string;
  readonly region: string;
}

export function backendBucket(backendUrl: string): BackendBucket {
  const match = BACKEND_URL_PATTERN.exec(backendUrl);
  if (!match) throw new Error(`${backendUrl} is not s3://<bucket>?region=<region> (the config checks it)`);
  return { bucket: match[1], region: match[2] };
}

export function backendUrl(bucket: string, region: string): string {
  return `s3://${bucket}?region=${region}`;
}
