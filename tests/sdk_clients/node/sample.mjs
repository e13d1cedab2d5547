// The sample code of GenAuth's "Configure third-party email service" page, as written there,
// with one change: the host line is uncommented and points at the emulator (GENAUTH_HOST).
// The page's placeholder credentials are kept; the test registers a pool with exactly those.
import { ManagementClient, Models } from "authing-node-sdk";

// Initialize ManagementClient
const managementClient = new ManagementClient({
  // Need to be replaced with your GenAuth Access Key ID
  accessKeyId: "GEN_AUTH_ACCESS_KEY_ID",
  // Need to be replaced with your GenAuth Access Key Secret
  accessKeySecret: "GEN_AUTH_ACCESS_KEY_SECRET",
  // If it is a private deployment customer, you need to set the GenAuth service domain name
  host: process.env.GENAUTH_HOST,
});

(async () => {
  const result = await managementClient.configEmailProvider({
    enabled: true,
    type: Models.ConfigEmailProviderDto.type.CUSTOM,
    smtpConfig: {
      smtpHost: "smtp.example.com",
      smtpPort: 465,
      sender: "test",
      senderPass: "passw0rd",
      secure: true,
    },
  });

  console.log(JSON.stringify(result, null, 2));
})();
