package com.msgupgrade.support;

import java.util.Map;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** HTTP calls as a given user, through the same endpoints a person or a script would use. */
public record Api(TestRestTemplate rest) {

    public static final String PASSWORD = "demo";

    public <T> ResponseEntity<T> call(String user, HttpMethod method, String path, Object body, Class<T> type) {
        HttpHeaders headers = new HttpHeaders();
        if (user != null) {
            headers.setBasicAuth(user, PASSWORD);
        }
        headers.setContentType(MediaType.APPLICATION_JSON);
        return rest.exchange(path, method, new HttpEntity<>(body, headers), type);
    }

    public ResponseEntity<String> putJson(String user, String path, String json) {
        return call(user, HttpMethod.PUT, path, json, String.class);
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> getMap(String user, String path) {
        return call(user, HttpMethod.GET, path, null, Map.class).getBody();
    }

    @SuppressWarnings("unchecked")
    public java.util.List<Map<String, Object>> getList(String user, String path) {
        return call(user, HttpMethod.GET, path, null, java.util.List.class).getBody();
    }

    /** Completes a task through the engine REST API (/engine-rest), as a script would; Tasklist: {@link Tasklist}. */
    public ResponseEntity<String> completeTask(String user, String taskId, String decision, String comment) {
        String body = "{\"variables\":{\"decision\":{\"value\":\"" + decision + "\",\"type\":\"String\"},"
                + "\"decisionComment\":{\"value\":\"" + comment + "\",\"type\":\"String\"}}}";
        return call(user, HttpMethod.POST, "/engine-rest/task/" + taskId + "/complete", body, String.class);
    }
}
