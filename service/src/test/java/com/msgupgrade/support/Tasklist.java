package com.msgupgrade.support;

import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * A person in Tasklist, as the browser talks to the service: logged in through the webapps' login (a session
 * cookie), every change sent with the session's CSRF token, a task decided through the webapps' own engine API
 * ({@code /camunda/api/engine}), which is not {@code /engine-rest}.
 */
public final class Tasklist {

    private final String root;
    private final CookieManager cookies = new CookieManager();
    private final HttpClient http;

    private Tasklist(String root) {
        this.root = root;
        this.http = HttpClient.newBuilder().cookieHandler(cookies).build();
    }

    /** Logged in as {@code user} (password {@link Api#PASSWORD}); fails if the webapp refuses the login. */
    public static Tasklist loggedIn(String root, String user) {
        Tasklist tasklist = new Tasklist(root);
        tasklist.get("/camunda/app/tasklist/default/");
        HttpResponse<String> login = tasklist.post("/camunda/api/admin/auth/user/default/login/tasklist",
                "application/x-www-form-urlencoded", "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8)
                        + "&password=" + Api.PASSWORD);
        if (login.statusCode() != 200) {
            throw new IllegalStateException("Tasklist refused the login of " + user + ": " + login.statusCode());
        }
        tasklist.get("/camunda/api/engine/engine/"); // the new session's CSRF token, as the page's next request gets it
        return tasklist;
    }

    /** Submits the task's form with these variables (a JSON object of Camunda's typed values). */
    public HttpResponse<String> submit(String taskId, String variablesJson) {
        return post("/camunda/api/engine/engine/default/task/" + taskId + "/submit-form", "application/json",
                "{\"variables\":" + variablesJson + "}");
    }

    private HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(root + path)).GET());
    }

    private HttpResponse<String> post(String path, String contentType, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(root + path)).header("Content-Type", contentType)
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("XSRF-TOKEN"))
                .map(HttpCookie::getValue).findFirst().ifPresent(token -> request.header("X-XSRF-TOKEN", token));
        return send(request);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
