/**
 * The JDBC objects the application holds: dynamic proxies ({@code ProxyFactory}, {@code ProxyShape})
 * whose handlers pass each call to the logical layer in {@code dev.resilientjdbc.connection} or straight
 * to the real object; {@code MethodInfo} decides a method's kind once per {@code Method}.
 */
package dev.resilientjdbc.proxy;
