package com.msgupgrade.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * A query parameter of {@code /api} is given once: given twice ({@code ?deployment=a&deployment=b}), the framework
 * would join its values with a comma and filter on "a,b", answering an empty list as if nothing matched.
 */
@Configuration
class QueryParametersOnce implements WebMvcConfigurer {

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
            @Override
            public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
                if (!(handler instanceof org.springframework.web.method.HandlerMethod)) {
                    return true; // a path no controller serves: answered 404 (RequestFormErrors)
                }
                List<String> repeated = request.getParameterMap().entrySet().stream()
                        .filter(parameter -> parameter.getValue().length > 1)
                        .map(parameter -> Shown.quoted(parameter.getKey()) + " is given "
                                + parameter.getValue().length + " times: give it once")
                        .sorted().toList();
                if (!repeated.isEmpty()) {
                    throw new InvalidRequestException("a query parameter given more than once", repeated);
                }
                return true;
            }
        }).addPathPatterns("/api/**");
    }
}
