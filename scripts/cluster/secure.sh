# bin/cluster up --secure: SASL_SSL (sourced by cluster.sh)
secure_setup() { die "--secure is not available yet"; }
secure_broker_properties() { :; }
secure_client_properties() { :; }
scram_credential() { :; }
