# bin/cluster up --secure: the broker listens with SASL_SSL only (sourced by cluster.sh).
#
# At the first start a self-signed certificate for 127.0.0.1 is made with keytool (PKCS12 keystore + a
# truststore holding it), and two SCRAM-SHA-512 users with random passwords: `admin` (the broker itself, between
# its listeners) and `streamdetect` (clients: the job, produce, consume). Everything secret lives in
# $DIR/secrets/ (mode 600), never on a command line: clients name it through Kafka's FileConfigProvider, e.g.
#   -X sasl.jaas.config='${file:/.../secrets/client-secrets.properties:sasl.jaas.config}'
# so printed settings and logs only ever show the ${file:...} reference.

SECRETS="$DIR/secrets"

random_secret() { head -c 24 /dev/urandom | base64 | tr -d '/+=' ; }

secure_setup() {
  command -v keytool >/dev/null || die "--secure needs keytool (it comes with the JDK)"
  mkdir -p "$SECRETS"
  chmod 700 "$SECRETS"
  [ -f "$SECRETS/broker.p12" ] && return 0
  umask 077
  local store_pass admin_pass user_pass
  store_pass=$(random_secret); admin_pass=$(random_secret); user_pass=$(random_secret)
  # passwords reach keytool through its environment, not its arguments (ps shows arguments)
  STORE_PASS=$store_pass keytool -genkeypair -alias broker -keyalg RSA -keysize 2048 -validity 365 \
    -dname "CN=127.0.0.1, OU=streamdetect bin/cluster" -ext "SAN=ip:127.0.0.1,dns:localhost" \
    -keystore "$SECRETS/broker.p12" -storetype PKCS12 -storepass:env STORE_PASS -keypass:env STORE_PASS 2>/dev/null
  STORE_PASS=$store_pass keytool -exportcert -alias broker -keystore "$SECRETS/broker.p12" \
    -storepass:env STORE_PASS -rfc -file "$SECRETS/broker.crt" 2>/dev/null
  STORE_PASS=$store_pass keytool -importcert -noprompt -alias broker -file "$SECRETS/broker.crt" \
    -keystore "$SECRETS/truststore.p12" -storetype PKCS12 -storepass:env STORE_PASS 2>/dev/null
  printf 'store.password=%s\nadmin.password=%s\nuser.password=%s\n' "$store_pass" "$admin_pass" "$user_pass" \
    > "$SECRETS/passwords.properties"
  # what clients read through Kafka's FileConfigProvider
  {
    printf 'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="streamdetect" password="%s";\n' "$user_pass"
    printf 'ssl.truststore.password=%s\n' "$store_pass"
  } > "$SECRETS/client-secrets.properties"
  chmod 600 "$SECRETS"/*
  log "secure: certificate for 127.0.0.1 and SCRAM-SHA-512 users admin, streamdetect made in $SECRETS"
}

secret() { grep "^$1=" "$SECRETS/passwords.properties" | cut -d= -f2-; }

# the broker's SASL_SSL settings (server.properties is mode 600; Kafka logs these values as [hidden])
secure_broker_properties() {
  echo "sasl.enabled.mechanisms=SCRAM-SHA-512"
  echo "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512"
  echo "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$(secret admin.password)\";"
  echo "ssl.keystore.type=PKCS12"
  echo "ssl.keystore.location=$SECRETS/broker.p12"
  echo "ssl.keystore.password=$(secret store.password)"
  echo "ssl.key.password=$(secret store.password)"
  echo "ssl.truststore.type=PKCS12"
  echo "ssl.truststore.location=$SECRETS/truststore.p12"
  echo "ssl.truststore.password=$(secret store.password)"
  echo "ssl.client.auth=none"
}

# the SCRAM credentials the storage formatter writes into the cluster metadata before the first start
scram_credentials() {
  echo "SCRAM-SHA-512=[name=admin,password=$(secret admin.password)]"
  echo "SCRAM-SHA-512=[name=streamdetect,password=$(secret user.password)]"
}

# client settings, one key=value a line; the secret ones are ${file:...} references
secure_client_properties() {
  local f="$SECRETS/client-secrets.properties"
  echo "security.protocol=SASL_SSL"
  echo "sasl.mechanism=SCRAM-SHA-512"
  echo "config.providers=file"
  echo "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider"
  echo "sasl.jaas.config=\${file:$f:sasl.jaas.config}"
  echo "ssl.truststore.type=PKCS12"
  echo "ssl.truststore.location=$SECRETS/truststore.p12"
  echo "ssl.truststore.password=\${file:$f:ssl.truststore.password}"
}
