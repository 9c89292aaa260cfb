# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""What the cases of ipl_test.py share.

runner   the Context a case is given (its checks), Run: one run of the example on
         net_pcap ports, eal_cmd(), check_config(), the telemetry socket
packets  pcap files, the cleartext packets the cases send, fwd(), scapy's ESP both ways
confs    the example's configurations: sa_line(), ipl_conf(), and the named ones
"""
