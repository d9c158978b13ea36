# The deductive proofs (ci/prove, docs/proofs.md) as ctest tests.
#   prove                   every goal is proven or a listed known gap
#   prove_catches_seed_bug  with the seed's id bug compiled back in
#                           (-DNDL_SEED_ID_BUG) the proof must fail, and on
#                           the goal that the returned id was not live
# Without Frama-C both print why and report ctest's skip code, 77.
find_program(FRAMA_C frama-c)
if(FRAMA_C)
  add_test(NAME prove COMMAND ${CMAKE_CURRENT_LIST_DIR}/../ci/prove)
  add_test(NAME prove_catches_seed_bug
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/prove_seed_bug.sh
      ${CMAKE_CURRENT_LIST_DIR}/../ci/prove)
  # Each keeps both cores busy for minutes: side by side they would only
  # take twice as long, and slow every other test.
  set_tests_properties(prove prove_catches_seed_bug PROPERTIES
    TIMEOUT 900 RUN_SERIAL TRUE SKIP_RETURN_CODE 77)
else()
  foreach(name prove prove_catches_seed_bug)
    add_test(NAME ${name} COMMAND sh -c
      "echo '${name}: skipped: frama-c is not installed (ci/prove installs it when run as root)'; exit 77")
    set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77)
  endforeach()
endif()
