/**
 * cert-manager approves every CertificateRequest it is asked for (its approver controller: v1.21.1
 * pkg/controller/certificaterequests/approver), so what a team may be issued is decided here, on the Certificate:
 * the team's own DNS names, no CA, no other kinds of name, and only the ClusterIssuers the platform offers teams
 * (never the self-signed chain's bootstrap issuer). cert-manager's ingress-shim makes Certificates from Ingress
 * annotations in the Ingress's namespace, so they are checked the same way. CertificateRequests carry their names
 * inside a CSR that CEL cannot parse (apiserver pkg/cel/library has no x509 library), so teams cannot create them
 * at all: no team role grants `certificaterequests` (components/tenancy/roles.ts).
 */
import { AdmissionContext, inTeamDomain, listOf, TeamAdmissionPolicy, teamVariables } from "./cel";

/** Subject alternative names of other kinds than DNS, and the free-form subject, which could carry any name. */
const OTHER_NAMES = ["ipAddresses", "uris", "emailAddresses", "otherNames"];

export function teamCertificates(context: AdmissionContext): TeamAdmissionPolicy {
  const issuers = context.teamIssuers;
  const offered = issuers.length > 0 ? `ClusterIssuers ${issuers.join(", ")}` : "no ClusterIssuer (none is offered to teams here)";
  return {
    name: "team-namespaces-certificates",
    resourceRules: [{ apiGroups: ["cert-manager.io"], apiVersions: ["*"], resources: ["certificates"], operations: ["CREATE", "UPDATE"] }],
    variables: [
      ...teamVariables(context),
      {
        name: "foreignNames",
        expression:
          `object.spec.?dnsNames.orValue([]).filter(n, !${inTeamDomain("n")}) + ` +
          `(has(object.spec.commonName) && !${inTeamDomain("object.spec.commonName")} ? [object.spec.commonName] : [])`,
      },
      { name: "issuer", expression: "object.spec.issuerRef" },
      { name: "otherNames", expression: `${listOf(OTHER_NAMES)}.filter(f, object.spec[?f].orValue([]).size() > 0)` },
    ],
    validations: [
      {
        expression: "variables.foreignNames.size() == 0",
        message: "Certificates in team namespaces are only for the team's own DNS names: <team>.<environment>.<domain> or a name under it",
        messageExpression:
          '"Certificate " + object.metadata.name + " names " + variables.foreignNames.join(", ") + ", outside team " + ' +
          'variables.team + "\'s names: use " + variables.teamDomain + " or a name under it"',
      },
      {
        expression: "!object.spec.?isCA.orValue(false)",
        message: "isCA is not allowed in team namespaces: a CA certificate signs certificates for any name; request leaf certificates",
      },
      {
        expression: "variables.otherNames.size() == 0 && !has(object.spec.literalSubject)",
        message: `${OTHER_NAMES.join(", ")} and literalSubject are not allowed in team namespaces: name the certificate by dnsNames`,
        messageExpression:
          '"Certificate " + object.metadata.name + ": " + (variables.otherNames + (has(object.spec.literalSubject) ? ["literalSubject"] : []))' +
          '.join(", ") + " may carry names that are not the team\'s, which team namespaces may not request: use dnsNames"',
      },
      {
        expression:
          `variables.issuer.?kind.orValue("Issuer") == "ClusterIssuer" && variables.issuer.?group.orValue("cert-manager.io") in ["", "cert-manager.io"] && ` +
          `variables.issuer.name in ${listOf(issuers)}`,
        message: `issuerRef in team namespaces must be one of the platform's issuers for teams: ${offered}`,
        messageExpression:
          `"Certificate " + object.metadata.name + ": issuerRef " + variables.issuer.?kind.orValue("Issuer") + " " + variables.issuer.name + ` +
          `(variables.issuer.?group.orValue("") in ["", "cert-manager.io"] ? "" : " of group " + variables.issuer.group) + ` +
          `" is not offered to teams: use kind ClusterIssuer and ${issuers.length > 0 ? `one of ${issuers.join(", ")}` : "none: no issuer is offered to teams here"}"`,
      },
    ],
  };
}
