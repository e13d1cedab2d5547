package sdkclient;

import cn.authing.sdk.java.client.ManagementClient;
import cn.authing.sdk.java.dto.ConfigEmailProviderDto;
import cn.authing.sdk.java.dto.EmailProviderRespDto;
import cn.authing.sdk.java.enums.LanguageEnum;
import cn.authing.sdk.java.model.ManagementClientOptions;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Drives the official Java SDK (cn.authing:authing-java-sdk) as a user's program would.
 *
 * <p>Reads one JSON request on stdin: {@code {host, accessKeyId, accessKeySecret, lang?,
 * calls: [{op: "get"} | {op: "config", body: ConfigEmailProviderDto}]}}; makes the calls in
 * order with one ManagementClient (so its management token is fetched once and reused), and
 * prints, as the last line of stdout, a JSON array with one {@code {answer}} (the SDK's
 * EmailProviderRespDto as JSON) or {@code {error}} (the exception the SDK threw) per call.
 * A body is mapped onto the SDK's own DTO, refusing keys the DTO does not have: what the SDK
 * sends is what its types allow.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        ObjectMapper strict = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        ObjectMapper output = new ObjectMapper()
                .setSerializationInclusion(JsonInclude.Include.NON_NULL);
        JsonNode request = strict.readTree(System.in);

        ManagementClientOptions options = new ManagementClientOptions();
        options.setHost(request.get("host").asText());
        options.setAccessKeyId(request.get("accessKeyId").asText());
        options.setAccessKeySecret(request.get("accessKeySecret").asText());
        if ("en-US".equals(request.path("lang").asText())) {
            options.setLang(LanguageEnum.ENGLISH);
        }
        ManagementClient client = new ManagementClient(options);

        ArrayNode results = output.createArrayNode();
        for (JsonNode call : request.get("calls")) {
            ObjectNode result = results.addObject();
            try {
                EmailProviderRespDto answer;
                if ("get".equals(call.get("op").asText())) {
                    answer = client.getEmailProvider();
                } else {
                    ConfigEmailProviderDto body =
                            strict.treeToValue(call.get("body"), ConfigEmailProviderDto.class);
                    answer = client.configEmailProvider(body);
                }
                result.set("answer", output.valueToTree(answer));
            } catch (RuntimeException error) {
                result.put("error", error.getClass().getName() + ": " + error.getMessage());
            }
        }
        System.out.println();
        System.out.println(output.writeValueAsString(results));
    }
}
