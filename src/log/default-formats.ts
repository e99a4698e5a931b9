/**
 * The log-format strings HAProxy 2.6's options stand for (src/log.c): `option httplog`,
 * `option httplog clf` and `option tcplog` are these formats, compiled like any `log-format`.
 */

/** default_http_log_format (`option httplog`). */
export const HTTP_LOG_FORMAT =
  '%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r';

/** clf_http_log_format (`option httplog clf`): the Common Log Format, then HAProxy's fields. */
export const CLF_HTTP_LOG_FORMAT =
  '%{+Q}o %{-Q}ci - - [%trg] %r %ST %B "" "" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl';

/** default_https_log_format (`option httpslog`): httplog, then the TLS facts of the connection. */
export const HTTPS_LOG_FORMAT =
  '%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r %[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/%[ssl_c_ca_err]/%[ssl_fc_is_resumed] %[ssl_fc_sni]/%sslv/%sslc';

/** default_tcp_log_format (`option tcplog`). */
export const TCP_LOG_FORMAT = '%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq';
